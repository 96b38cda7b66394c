import type { Compatibility } from '@aws-sdk/client-glue';
import { ConfigError } from '../errors.ts';

/** Confluent's names for compatibility levels; Glue spells the transitive ones `_ALL`. */
export type CompatibilityLevel =
  | 'NONE'
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE';

export const COMPATIBILITY_LEVELS: readonly CompatibilityLevel[] = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
];

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

const TO_GLUE: Record<CompatibilityLevel, Compatibility> = {
  NONE: 'NONE',
  BACKWARD: 'BACKWARD',
  BACKWARD_TRANSITIVE: 'BACKWARD_ALL',
  FORWARD: 'FORWARD',
  FORWARD_TRANSITIVE: 'FORWARD_ALL',
  FULL: 'FULL',
  FULL_TRANSITIVE: 'FULL_ALL',
};

export function toGlueCompatibility(level: CompatibilityLevel): Compatibility {
  return TO_GLUE[level];
}

/** Reads a level in either spelling (Glue's `BACKWARD_ALL` maps to `BACKWARD_TRANSITIVE`). */
export function parseCompatibilityLevel(raw: string, key = 'compatibility'): CompatibilityLevel {
  const upper = raw.trim().toUpperCase();
  const direct = COMPATIBILITY_LEVELS.find((level) => level === upper);
  if (direct) return direct;
  const fromGlue = COMPATIBILITY_LEVELS.find((level) => TO_GLUE[level] === upper);
  if (fromGlue) return fromGlue;
  throw new ConfigError(
    key,
    `unknown compatibility level "${raw}"; use one of ${COMPATIBILITY_LEVELS.join(', ')}`,
  );
}
