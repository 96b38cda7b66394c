/** The versioned base Avro schema of the enriched event (schemas/ses-email-event/). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import { ConfigError } from '../errors.ts';

export const BASE_SCHEMA_VERSIONS = ['v1', 'v2', 'v3'] as const;
export type BaseSchemaVersion = (typeof BASE_SCHEMA_VERSIONS)[number];
export const LATEST_BASE_SCHEMA_VERSION: BaseSchemaVersion = 'v3';

/** True when `version` has everything `since` added (versions only ever add optional fields). */
export function schemaVersionAtLeast(version: BaseSchemaVersion, since: BaseSchemaVersion): boolean {
  return BASE_SCHEMA_VERSIONS.indexOf(version) >= BASE_SCHEMA_VERSIONS.indexOf(since);
}

/**
 * From the sources the schemas sit two folders up; in the Lambda bundle (one lambda.mjs) they are
 * packed next to it. The first folder that holds them wins.
 */
function findSchemaDir(): string {
  const candidates = ['../../schemas/ses-email-event/', './schemas/ses-email-event/'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(`${dir}v1.avsc`)) ?? (candidates[0] as string);
}

export const BASE_SCHEMA_DIR = findSchemaDir();

/** A record schema as JSON, the shape transforms map and registries store. */
export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: Array<{ name: string; type: unknown; default?: unknown; doc?: string }>;
}

function checkVersion(version: string): BaseSchemaVersion {
  if ((BASE_SCHEMA_VERSIONS as readonly string[]).includes(version)) return version as BaseSchemaVersion;
  throw new ConfigError(
    'schema.version',
    `unknown base schema version '${version}'; use one of ${BASE_SCHEMA_VERSIONS.join(', ')}`,
  );
}

export function baseSchemaPath(version: string = 'v1'): string {
  return `${BASE_SCHEMA_DIR}${checkVersion(version)}.avsc`;
}

const parsedByVersion = new Map<BaseSchemaVersion, AvroRecordSchema>();
const typeByVersion = new Map<BaseSchemaVersion, avro.Type>();

/** The parsed schema JSON. Each call returns a fresh deep copy, so callers may mutate it (transforms do). */
export function loadBaseSchema(version: string = 'v1'): AvroRecordSchema {
  const checked = checkVersion(version);
  let schema = parsedByVersion.get(checked);
  if (schema === undefined) {
    schema = JSON.parse(readFileSync(baseSchemaPath(checked), 'utf8')) as AvroRecordSchema;
    parsedByVersion.set(checked, schema);
  }
  return structuredClone(schema);
}

/** The compiled avsc type, built once per version (timestamps are plain longs: epoch millis). */
export function baseSchemaType(version: string = 'v1'): avro.Type {
  const checked = checkVersion(version);
  let type = typeByVersion.get(checked);
  if (type === undefined) {
    type = avro.Type.forSchema(loadBaseSchema(checked) as avro.Schema);
    typeByVersion.set(checked, type);
  }
  return type;
}
