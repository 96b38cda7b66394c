/**
 * `ses-kafka register-schemas`: registers the output schema in AWS Glue Schema Registry or a
 * Confluent-compatible registry, after checking compatibility against every existing version itself.
 * Exit codes: 0 registered or already there, 1 incompatible (nothing written), 2 config or connection error.
 */
import { readFile } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { ConfigError, describeError, PipelineError } from '../errors.ts';
import {
  EXIT_ERROR,
  exitCodeFor,
  type RegisterSchemasOptions,
  type RegistrationResult,
  registerSchemas,
} from '../registration/register-schemas.ts';
import { COMPATIBILITY_LEVELS, parseCompatibilityLevel } from '../serde/compatibility-level.ts';
import { parseSubjectNameStrategy, SUBJECT_NAME_STRATEGIES } from '../serde/subject-name.ts';
import { LATEST_BASE_SCHEMA_VERSION } from '../ses/base-schema.ts';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from '../stack/endpoints.ts';
import { type AvroSchema, loadConfigFile, TransformChain } from '../transforms/index.ts';

export interface RegisterSchemasCliOptions {
  schema: string;
  /** Connect-style transform config: the chain's output schema is registered, not the base schema. */
  transforms?: string;
  target: 'glue' | 'confluent';
  compatibility: string;
  dryRun?: boolean;
  json?: boolean;
  local?: boolean;
  topic?: string;
  registryUrl?: string;
  subject?: string;
  subjectStrategy?: string;
  glueRegistry?: string;
  glueSchema?: string;
  glueEndpoint?: string;
  region?: string;
}

export interface RegisterSchemasIo {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

const processIo: RegisterSchemasIo = {
  writeOut: (text) => process.stdout.write(`${text}\n`),
  writeErr: (text) => process.stderr.write(`${text}\n`),
};

async function readSchemaFile(file: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('--schema', `cannot read ${file} (${describeError(error)})`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not a JSON object');
    return parsed;
  } catch (error) {
    throw new ConfigError('--schema', `${file} is not a JSON Avro schema (${describeError(error)})`);
  }
}

/** Turns CLI flags (and env defaults) into registerSchemas() options. */
export function toRegisterOptions(cli: RegisterSchemasCliOptions, schema: object): RegisterSchemasOptions {
  const local = cli.local ? stackEndpoints() : undefined;
  const compatibility = parseCompatibilityLevel(cli.compatibility, '--compatibility');
  if (cli.target === 'confluent') {
    const url = cli.registryUrl ?? process.env.SES_KAFKA_REGISTRY_URL ?? local?.registryUrl;
    if (!url)
      throw new ConfigError(
        '--registry-url',
        'required for --target confluent (or set SES_KAFKA_REGISTRY_URL, or use --local)',
      );
    return {
      schema,
      target: 'confluent',
      compatibility,
      dryRun: cli.dryRun ?? false,
      confluent: {
        url,
        subject: cli.subject,
        topic: cli.topic ?? process.env.SES_KAFKA_TOPIC,
        subjectNameStrategy: parseSubjectNameStrategy(
          cli.subjectStrategy ?? 'TopicNameStrategy',
          '--subject-strategy',
        ),
      },
    };
  }
  const registryName = cli.glueRegistry ?? process.env.SES_KAFKA_GLUE_REGISTRY_NAME;
  if (!registryName)
    throw new ConfigError(
      '--glue-registry',
      'required for --target glue (or set SES_KAFKA_GLUE_REGISTRY_NAME)',
    );
  const endpoint = cli.glueEndpoint ?? process.env.SES_KAFKA_GLUE_ENDPOINT ?? local?.glueEndpoint;
  return {
    schema,
    target: 'glue',
    compatibility,
    dryRun: cli.dryRun ?? false,
    glue: {
      registryName,
      schemaName: cli.glueSchema ?? process.env.SES_KAFKA_GLUE_SCHEMA_NAME,
      topic: cli.topic ?? process.env.SES_KAFKA_TOPIC,
      region: cli.region ?? process.env.AWS_REGION ?? (local ? LOCAL_AWS_REGION : undefined),
      ...(endpoint ? { endpoint } : {}),
      // The local stack's moto takes fixed test credentials; elsewhere the SDK's default chain applies.
      ...(local ? { credentials: { ...LOCAL_AWS_CREDENTIALS } } : {}),
    },
  };
}

export function formatResult(result: RegistrationResult): string {
  const lines: string[] = [];
  const versions = result.existingVersions.length > 0 ? result.existingVersions.join(', ') : 'none';
  lines.push(`${result.location}: existing versions ${versions}; compatibility ${result.compatibility}`);
  switch (result.status) {
    case 'unchanged':
      lines.push(`unchanged: already registered as version ${result.version} (id ${result.id})`);
      break;
    case 'incompatible':
      lines.push(`INCOMPATIBLE under ${result.compatibility}; nothing was registered:`);
      for (const violation of result.violations) lines.push(`  - ${violation.message}`);
      break;
    case 'would-change':
      lines.push('dry run; would:');
      for (const action of result.actions) lines.push(`  - ${action}`);
      break;
    case 'registered':
      for (const action of result.actions) lines.push(`done: ${action}`);
      if (result.version !== undefined || result.id !== undefined) {
        lines.push(`registered as version ${result.version ?? '?'} (id ${result.id ?? '?'})`);
      }
      break;
  }
  return lines.join('\n');
}

/** Runs the command and returns its exit code; errors are printed, not thrown. */
export async function runRegisterSchemas(
  cli: RegisterSchemasCliOptions,
  io: RegisterSchemasIo = processIo,
): Promise<number> {
  try {
    const base = await readSchemaFile(cli.schema);
    const transforms = cli.transforms ?? process.env.SES_KAFKA_TRANSFORMS_FILE;
    // Like a Connect converter, register what the transform chain outputs, not what goes into it.
    const schema =
      transforms === undefined || transforms === ''
        ? base
        : (TransformChain.build(loadConfigFile(transforms), {
            valueSchema: base as AvroSchema,
            keySchema: 'string',
          }).outputValueSchema as object);
    const result = await registerSchemas(toRegisterOptions(cli, schema));
    io.writeOut(cli.json ? JSON.stringify(result) : formatResult(result));
    return exitCodeFor(result);
  } catch (error) {
    const code = error instanceof PipelineError ? error.code : 'UNEXPECTED';
    const message = describeError(error);
    io.writeErr(
      cli.json ? JSON.stringify({ status: 'error', code, message }) : `register-schemas: ${code}: ${message}`,
    );
    return EXIT_ERROR;
  }
}

export function registerRegisterSchemasCommand(program: Command): void {
  program
    .command('register-schemas')
    .description(
      'check the output schema against every registered version, then register it (Glue or Confluent-compatible)',
    )
    .option(
      '--schema <file>',
      'base Avro schema file',
      `schemas/ses-email-event/${LATEST_BASE_SCHEMA_VERSION}.avsc`,
    )
    .option(
      '--transforms <file>',
      'transform chain config (.properties or JSON): its output schema is registered (env SES_KAFKA_TRANSFORMS_FILE)',
    )
    .addOption(
      new Option('--target <target>', 'registry kind').choices(['glue', 'confluent']).makeOptionMandatory(),
    )
    .addOption(
      new Option('--compatibility <level>', 'compatibility level to set and check')
        .choices(COMPATIBILITY_LEVELS)
        .default('BACKWARD'),
    )
    .option('--dry-run', 'show what would change, write nothing')
    .option('--json', 'print one JSON result (for CI)')
    .option('--local', 'use the local stack (Apicurio ccompat URL, moto endpoint and test credentials)')
    .option('--topic <topic>', 'Kafka topic: names the subject (TopicNameStrategy) or the Glue schema')
    .option('--registry-url <url>', 'Confluent-compatible API root (env SES_KAFKA_REGISTRY_URL)')
    .option('--subject <subject>', 'explicit subject, overriding the strategy')
    .addOption(
      new Option('--subject-strategy <strategy>', 'subject name strategy').choices(SUBJECT_NAME_STRATEGIES),
    )
    .option('--glue-registry <name>', 'Glue registry name (env SES_KAFKA_GLUE_REGISTRY_NAME)')
    .option('--glue-schema <name>', 'Glue schema name (default: the topic)')
    .option('--glue-endpoint <url>', 'Glue endpoint override (env SES_KAFKA_GLUE_ENDPOINT)')
    .option('--region <region>', 'AWS region (env AWS_REGION)')
    // Commander exits 1 on a bad flag, which here means "incompatible"; a usage error is a config error.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_ERROR))
    .action(async (options: RegisterSchemasCliOptions) => {
      process.exitCode = await runRegisterSchemas(options);
    });
}
