import type { CompatibilityLevel } from '../serde/compatibility-level.ts';

export interface StoredVersion {
  version: number;
  definition: string;
  id: string;
}

/** One registry location (a Confluent subject or a Glue schema) as registration sees it. */
export interface RegistrationTarget {
  readonly kind: 'glue' | 'confluent';
  /** Human description, e.g. `subject "orders-value" at http://…`. */
  readonly location: string;
  /** Undefined when the subject/schema does not exist yet. */
  currentCompatibility(): Promise<string | undefined>;
  /** Oldest first; empty when the subject/schema does not exist yet. */
  versions(): Promise<StoredVersion[]>;
  /** The steps `register` would take beyond registering the version itself (e.g. creating the registry). */
  setupSteps(): Promise<string[]>;
  setCompatibility(level: CompatibilityLevel): Promise<void>;
  /**
   * The registry's own compatibility verdict on `definition` against the latest version, under the level
   * the registry holds; undefined when the registry cannot tell (no versions, or no such API: Glue).
   */
  registryVerdict?(definition: string): Promise<{ compatible: boolean; messages: string[] } | undefined>;
  /** Creates whatever is missing, registers the definition and makes sure the level is set. */
  register(definition: string, level: CompatibilityLevel): Promise<{ id: string; version?: number }>;
}
