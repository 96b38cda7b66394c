/**
 * What `register-schemas` registers, and where, for a given set of settings: the one definition shared
 * by the command and the main job, so both register exactly what the pipeline will look up.
 */
import { readFile } from 'node:fs/promises';
import { loadPipelineSettings } from '../config/pipeline-settings.ts';
import { readSetting } from '../config/settings.ts';
import { ConfigError, describeError } from '../errors.ts';
import { buildChain } from '../runtime.ts';
import type { CompatibilityLevel } from '../serde/compatibility-level.ts';
import type { AvroSchema } from '../transforms/index.ts';
import type { RegisterSchemasOptions } from './register-schemas.ts';

async function readSchemaFile(file: string): Promise<AvroSchema> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('--schema', `cannot read ${file} (${describeError(error)})`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not a JSON object');
    return parsed as AvroSchema;
  } catch (error) {
    throw new ConfigError('--schema', `${file} is not a JSON Avro schema (${describeError(error)})`);
  }
}

/**
 * What to register, and where, from the pipeline's own settings: the chain's output schema (built
 * without secrets), the registry and subject or Glue schema the serializer will look in.
 */
export async function registrationFromSettings(
  env: Readonly<Record<string, string | undefined>>,
  cli: { schema?: string; dryRun?: boolean } = {},
): Promise<RegisterSchemasOptions> {
  const settings = loadPipelineSettings(env);
  const baseSchema = cli.schema === undefined ? undefined : await readSchemaFile(cli.schema);
  // Like a Connect converter, register what the transform chain outputs, not what goes into it.
  const chain = buildChain(settings, env, { schemaOnly: true, ...(baseSchema ? { baseSchema } : {}) });
  const schema = chain.outputValueSchema as object;
  const topic = readSetting(env, 'topic');
  const common = {
    schema,
    compatibility: settings.compatibility as CompatibilityLevel,
    dryRun: cli.dryRun ?? false,
  };
  const registry = settings.registry;
  if (registry.kind === 'confluent') {
    return {
      ...common,
      target: 'confluent',
      confluent: {
        url: registry.url,
        ...(registry.auth ? { auth: registry.auth } : {}),
        subjectNameStrategy: registry.subjectNameStrategy,
        ...(topic === undefined ? {} : { topic }),
      },
    };
  }
  return {
    ...common,
    target: 'glue',
    glue: {
      registryName: registry.registryName,
      ...(registry.schemaName === undefined ? {} : { schemaName: registry.schemaName }),
      ...(topic === undefined ? {} : { topic }),
      ...(registry.region === undefined ? {} : { region: registry.region }),
      ...(registry.endpoint === undefined ? {} : { endpoint: registry.endpoint }),
    },
  };
}
