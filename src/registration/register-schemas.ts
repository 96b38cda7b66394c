import avro from 'avsc';
import { ConfigError } from '../errors.ts';
import {
  type CompatibilityLevel,
  DEFAULT_COMPATIBILITY,
  parseCompatibilityLevel,
} from '../serde/compatibility-level.ts';
import { ConfluentRegistryClient } from '../serde/confluent-registry.ts';
import { type GlueConnectionOptions, GlueSchemaRegistry } from '../serde/glue-registry.ts';
import { sameSchema, schemaText } from '../serde/schema-text.ts';
import { type SubjectNameStrategy, subjectName } from '../serde/subject-name.ts';
import { type CompatibilityViolation, checkCompatibility } from './compatibility.ts';
import { ConfluentTarget } from './confluent-target.ts';
import { GlueTarget } from './glue-target.ts';
import type { RegistrationTarget, StoredVersion } from './target.ts';

export interface ConfluentRegistrationOptions {
  url: string;
  auth?: { username: string; password: string };
  /** Fixed subject; otherwise derived from the strategy, the topic and the record name. */
  subject?: string;
  subjectNameStrategy?: SubjectNameStrategy;
  topic?: string;
}

export interface GlueRegistrationOptions extends GlueConnectionOptions {
  registryName: string;
  /** Defaults to the topic, as the AWS serializer names schemas. */
  schemaName?: string;
  topic?: string;
}

export interface RegisterSchemasOptions {
  /** The schema to register: the transform chain's output schema (for now the base schema). */
  schema: object;
  target: 'glue' | 'confluent';
  compatibility?: CompatibilityLevel;
  dryRun?: boolean;
  confluent?: ConfluentRegistrationOptions;
  glue?:
    | GlueRegistrationOptions
    | (Omit<GlueRegistrationOptions, keyof GlueConnectionOptions> & { registry: GlueSchemaRegistry });
}

export type RegistrationStatus = 'registered' | 'unchanged' | 'would-change' | 'incompatible';

export interface RegistrationResult {
  target: 'glue' | 'confluent';
  location: string;
  status: RegistrationStatus;
  dryRun: boolean;
  compatibility: CompatibilityLevel;
  /** The level the registry held before (undefined for a new subject/schema). */
  previousCompatibility?: string;
  existingVersions: number[];
  /** What was done (or, in a dry run, what would be done). Empty when nothing changes. */
  actions: string[];
  /** The registered (or already registered) version. */
  id?: string;
  version?: number;
  violations: CompatibilityViolation[];
  /**
   * Confluent-compatible targets: the registry's own verdict (its `/compatibility` API), asked when the
   * subject already holds the level we check under, and whether it agrees with ours.
   */
  registryCheck?: { compatible: boolean; messages: string[]; agrees: boolean };
}

/** Exit codes of `ses-kafka register-schemas`. */
export const EXIT_OK = 0;
export const EXIT_INCOMPATIBLE = 1;
export const EXIT_ERROR = 2;

export function exitCodeFor(result: RegistrationResult): number {
  return result.status === 'incompatible' ? EXIT_INCOMPATIBLE : EXIT_OK;
}

function compileCandidate(schema: object): avro.Type {
  try {
    return avro.Type.forSchema(schema as avro.Schema);
  } catch (error) {
    throw new ConfigError('schema', `not a valid Avro schema: ${(error as Error).message}`);
  }
}

function compileStored(stored: StoredVersion, location: string): avro.Type {
  try {
    return avro.Type.forSchema(JSON.parse(stored.definition) as avro.Schema);
  } catch (error) {
    throw new ConfigError(
      'schema',
      `version ${stored.version} of ${location} is not valid Avro: ${(error as Error).message}`,
    );
  }
}

function buildTarget(options: RegisterSchemasOptions, recordName: string | undefined): RegistrationTarget {
  if (options.target === 'confluent') {
    const confluent = options.confluent;
    if (!confluent?.url)
      throw new ConfigError('registry-url', 'required for --target confluent: the ccompat API root URL');
    const subject =
      confluent.subject ??
      subjectName({
        strategy: confluent.subjectNameStrategy ?? 'TopicNameStrategy',
        topic: confluent.topic,
        recordFullName: recordName,
      });
    return new ConfluentTarget(
      new ConfluentRegistryClient({
        url: confluent.url,
        ...(confluent.auth ? { auth: confluent.auth } : {}),
      }),
      subject,
    );
  }
  if (options.target === 'glue') {
    const glue = options.glue;
    if (!glue?.registryName)
      throw new ConfigError('glue-registry', 'required for --target glue: the Glue registry name');
    const schemaName = glue.schemaName ?? glue.topic;
    if (!schemaName)
      throw new ConfigError(
        'glue-schema',
        'required for --target glue (or give --topic): the Glue schema name',
      );
    const registry = 'registry' in glue ? glue.registry : new GlueSchemaRegistry(glue);
    return new GlueTarget(registry, glue.registryName, schemaName);
  }
  throw new ConfigError('target', `unknown target "${String(options.target)}"; use glue or confluent`);
}

/**
 * Registers `schema` after checking it against every existing version under the wanted compatibility
 * level. Idempotent: a schema that is already registered, with the level already set, changes nothing.
 * Incompatible schemas are refused before anything is written.
 */
export async function registerSchemas(options: RegisterSchemasOptions): Promise<RegistrationResult> {
  const level = options.compatibility ?? DEFAULT_COMPATIBILITY;
  const candidate = compileCandidate(options.schema);
  // The one text the pipeline will look up: registering any other spelling would not be found by a
  // registry that compares text.
  const definition = schemaText(options.schema);
  const target = buildTarget(options, candidate.name);
  const dryRun = options.dryRun ?? false;

  const previousCompatibility = await target.currentCompatibility();
  const stored = await target.versions();
  const existing = stored.map((version) => ({
    version: version.version,
    type: compileStored(version, target.location),
  }));
  const base = {
    target: target.kind,
    location: target.location,
    dryRun,
    compatibility: level,
    ...(previousCompatibility === undefined ? {} : { previousCompatibility }),
    existingVersions: stored.map((version) => version.version),
  };

  const already = stored.find((version) => sameSchema(version.definition, definition));
  const levelMatches = previousCompatibility !== undefined && parseLevel(previousCompatibility) === level;

  if (already) {
    if (levelMatches)
      return {
        ...base,
        status: 'unchanged',
        actions: [],
        id: already.id,
        version: already.version,
        violations: [],
      };
    const actions = [`set compatibility to ${level} (was ${previousCompatibility ?? 'unset'})`];
    if (!dryRun) await target.setCompatibility(level);
    return {
      ...base,
      status: dryRun ? 'would-change' : 'registered',
      actions,
      id: already.id,
      version: already.version,
      violations: [],
    };
  }

  const violations = checkCompatibility(candidate, existing, level);
  const registryCheck =
    levelMatches && existing.length > 0 ? await registryVerdict(target, definition, violations) : undefined;
  const withCheck = registryCheck === undefined ? base : { ...base, registryCheck };
  if (violations.length > 0) return { ...withCheck, status: 'incompatible', actions: [], violations };
  // Our check passed but the registry's did not: it would refuse the version, so say so now, in its words.
  if (registryCheck?.compatible === false)
    return { ...withCheck, status: 'incompatible', actions: [], violations: [] };

  const actions = [
    ...(await target.setupSteps()),
    ...(levelMatches ? [] : [`set compatibility to ${level} (was ${previousCompatibility ?? 'unset'})`]),
    `register version ${(stored.at(-1)?.version ?? 0) + 1}`,
  ];
  if (dryRun) return { ...withCheck, status: 'would-change', actions, violations: [] };
  const registered = await target.register(definition, level);
  return { ...withCheck, status: 'registered', actions, ...registered, violations: [] };
}

async function registryVerdict(
  target: RegistrationTarget,
  definition: string,
  violations: readonly CompatibilityViolation[],
): Promise<RegistrationResult['registryCheck']> {
  const verdict = await target.registryVerdict?.(definition);
  if (verdict === undefined) return undefined;
  return { ...verdict, agrees: verdict.compatible === (violations.length === 0) };
}

/** Registries report levels in their own spelling; an unknown one never "matches". */
function parseLevel(raw: string): CompatibilityLevel | undefined {
  try {
    return parseCompatibilityLevel(raw);
  } catch {
    return undefined;
  }
}
