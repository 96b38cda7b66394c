import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import avro from 'avsc';
import { type Command, Option } from 'commander';
import { readSchemaVersion } from '../config/pipeline-settings.ts';
import { readSetting } from '../config/settings.ts';
import type { EmailMetadata } from '../enrich/metadata.ts';
import { ConfigError, describeError } from '../errors.ts';
import { describeJsonSyntaxError, redactText } from '../observability/redact.ts';
import type { KafkaHeader, KafkaRecord } from '../record.ts';
import { exactLongOptions } from '../serde/avro-types.ts';
import { type BaseSchemaVersion, loadBaseSchema } from '../ses/base-schema.ts';
import { parseAnyInput, recordSource, toEnrichedValue } from '../ses/index.ts';
import { TransformChain } from '../transforms/chain.ts';
import { loadConfigFile } from '../transforms/config-source.ts';
import { plainJsonCodec } from '../transforms/plain-json.ts';
import type { AvroSchema } from '../transforms/schema.ts';
import { readPackageVersion } from '../version.ts';
import { EXIT, reportCommandError } from './exit.ts';
import { addSettingOptions, commandSettings } from './settings-cli.ts';

interface TransformOptions {
  transforms?: string;
  config?: string;
  schema?: string;
  keySchema?: string;
  printSchema?: boolean;
  [flag: string]: unknown;
}

/** The topic a record gets when its line names none; a RegexRouter or TimestampRouter may change it. */
const DEFAULT_TOPIC = 'ses-email-events';

function readSchema(path: string, option: string): AvroSchema {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as AvroSchema;
  } catch (error) {
    throw new ConfigError(option, `cannot read Avro schema ${path}: ${describeError(error)}`);
  }
}

function parseHeaders(raw: unknown, line: number): KafkaHeader[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw)) {
    return raw.map((header: { key?: unknown; value?: unknown }) => {
      if (typeof header?.key !== 'string') throw new Error(`line ${line}: each header needs a string "key"`);
      return {
        key: header.key,
        value: header.value === null || header.value === undefined ? null : String(header.value),
      };
    });
  }
  if (typeof raw === 'object') {
    return Object.entries(raw as Record<string, unknown>).map(([key, value]) => ({
      key,
      value: value === null ? null : String(value),
    }));
  }
  throw new Error(`line ${line}: "headers" must be an array of {key, value} or an object`);
}

/**
 * `ses-kafka transform`: JSON lines in, the transformed records out; filtered records are omitted.
 * A line is either a record (`{"value": ..., "key"?, "topic"?, "headers"?}`, value in the input
 * schema) or anything `ses-kafka parse` reads or prints (an SES event, SNS/SQS envelope, a canonical
 * event), which becomes the record the pipeline would build, with metadata SKIPPED: so
 * `ses-kafka parse x.json | ses-kafka transform` works. Exit codes: 0 every line transformed (or
 * filtered), 1 some line refused, 2 a bad config or schema.
 */
export function registerTransformCommand(program: Command): void {
  const command = program
    .command('transform')
    .description(
      'run JSON lines (records, or SES events as `parse` reads or prints them) through a Connect-style transform chain',
    );
  addSettingOptions(command, ['transformsFile', 'schemaVersion']);
  command
    .option('--schema <file.avsc>', 'input value schema file, instead of the base schema of --schema-version')
    .option('--key-schema <file.avsc>', 'input key schema (default: string)')
    .option('--print-schema', 'print the chain output value (and key) schema and exit')
    // The flag's old name, from before every command called the transform config --transforms.
    .addOption(new Option('--config <file>').hideHelp())
    .action(async (options: TransformOptions) => {
      if (options.config !== undefined) options.transforms ??= options.config;
      const settings = commandSettings(options, ['transformsFile', 'schemaVersion']);
      const { env } = settings;
      try {
        process.exitCode = await runTransform(options, env);
      } catch (error) {
        process.exitCode = reportCommandError('transform', error, settings);
      }
    });
}

/** What a line becomes before the chain: a record as given, or the pipeline's record for an SES input. */
function toInputRecord(
  raw: unknown,
  line: number,
  schemaVersion: BaseSchemaVersion,
  codecs: Codecs,
): KafkaRecord {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw && !('mail' in raw)) {
    const record = raw as Record<string, unknown>;
    return {
      topic: typeof record.topic === 'string' ? record.topic : DEFAULT_TOPIC,
      key: codecs.keyIn.fromJson(record.key ?? null),
      value: codecs.valueIn.fromJson(record.value ?? null),
      headers: parseHeaders(record.headers, line),
      timestamp: typeof record.timestamp === 'number' ? record.timestamp : Date.now(),
      ...(typeof record.partition === 'number' ? { partition: record.partition } : {}),
      ...(typeof record.offset === 'number' ? { offset: record.offset } : {}),
    };
  }
  const [parsed, ...more] = parseAnyInput(JSON.stringify(raw));
  if (parsed === undefined || more.length > 0) {
    throw new Error(`line ${line}: expected one record or one SES event per line, found ${more.length + 1}`);
  }
  if (!parsed.ok) throw new Error(`line ${line}: ${parsed.error.code}: ${parsed.error.message}`);
  const processedAt = new Date();
  const metadata: EmailMetadata = {
    status: 'SKIPPED',
    attributes: {},
    reason: 'ses-kafka transform does not look metadata up',
  };
  return {
    topic: DEFAULT_TOPIC,
    key: parsed.event.mail.messageId,
    value: toEnrichedValue(
      parsed.event,
      metadata,
      recordSource(parsed.envelope ?? {}, { processedAt, producerVersion: readPackageVersion() }),
      {
        schemaVersion,
      },
    ),
    headers: [],
    timestamp: processedAt.getTime(),
  };
}

interface Codecs {
  keyIn: ReturnType<typeof plainJsonCodec>;
  valueIn: ReturnType<typeof plainJsonCodec>;
}

/** The first few paths where a value breaks the schema, never the values themselves (they hold addresses). */
function schemaMismatches(type: avro.Type, value: unknown): string[] {
  const paths: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], _value: unknown, expected: avro.Type) => {
      if (paths.length < 5)
        paths.push(`${path.join('.') || '(root)'} (expected ${expected.name ?? expected.typeName})`);
    },
  });
  return paths;
}

async function runTransform(
  options: TransformOptions,
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const schemaVersion = readSchemaVersion(env);
  const valueSchema = options.schema
    ? readSchema(options.schema, '--schema')
    : (loadBaseSchema(schemaVersion) as unknown as AvroSchema);
  const keySchema = options.keySchema ? readSchema(options.keySchema, '--key-schema') : 'string';
  const transformsFile = readSetting(env, 'transformsFile');
  const chain = TransformChain.build(transformsFile === undefined ? {} : loadConfigFile(transformsFile), {
    valueSchema,
    keySchema,
    env,
  });
  if (options.printSchema) {
    const printed = chain.keySchemaChanged
      ? { key: chain.outputKeySchema, value: chain.outputValueSchema }
      : chain.outputValueSchema;
    process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
    return EXIT.ok;
  }
  // Exact longs, as the chain and the serializer read them (src/serde/avro-types.ts).
  const inputType = avro.Type.forSchema(valueSchema as avro.Schema, exactLongOptions());
  const codecs: Codecs = { valueIn: plainJsonCodec(valueSchema), keyIn: plainJsonCodec(keySchema) };
  const valueOut = plainJsonCodec(chain.outputValueSchema);
  const keyOut = plainJsonCodec(chain.outputKeySchema);
  // Every line of stderr may quote input, so each goes through the one redaction function.
  const writeErr = (text: string) => process.stderr.write(`${redactText(text)}\n`);
  let exitCode: number = EXIT.ok;
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      writeErr(`line ${lineNumber}: not JSON (${describeJsonSyntaxError(error)})`);
      exitCode = EXIT.partial;
      continue;
    }
    let printed: string | undefined | null;
    try {
      printed = transformLine(raw, lineNumber);
    } catch (error) {
      // A line that cannot be walked (nested past the stack, a bad record) fails alone; the others go on.
      const reason = error instanceof RangeError ? 'nested too deeply to process' : describeError(error);
      writeErr(`line ${lineNumber}: ${reason.replace(/^line \d+: /, '')}`);
      exitCode = EXIT.partial;
      continue;
    }
    if (printed === null) return EXIT.partial;
    if (printed === '') exitCode = EXIT.partial;
    else if (printed !== undefined) process.stdout.write(printed);
  }
  return exitCode;

  /**
   * One input line: the output text; undefined when nothing is printed (filtered); '' when the line was
   * refused (reported); null to stop (errors.tolerance=none).
   */
  function transformLine(raw: unknown, lineNumber: number): string | undefined | null {
    const record = toInputRecord(raw, lineNumber, schemaVersion, codecs);
    const mismatches = schemaMismatches(inputType, record.value);
    if (mismatches.length > 0) {
      writeErr(
        `line ${lineNumber}: the value does not match the input schema ${inputType.name ?? ''} at ${mismatches.join(', ')}; give --schema or --schema-version for the schema it was written in`,
      );
      return '';
    }
    const outcome = chain.apply(record);
    if (outcome.kind === 'filtered') {
      if (outcome.error)
        writeErr(`line ${lineNumber}: dropped (errors.tolerance=all): ${outcome.error.message}`);
      return undefined;
    }
    if (outcome.kind === 'failed') {
      writeErr(`line ${lineNumber}: ${outcome.error.message}`);
      return null;
    }
    const out = outcome.record;
    // A dead-lettered record is the original, so it keeps the input schemas.
    const [keyCodec, valueCodec] =
      outcome.kind === 'dead-letter' ? [codecs.keyIn, codecs.valueIn] : [keyOut, valueOut];
    if (outcome.kind === 'dead-letter') writeErr(`line ${lineNumber}: dead-lettered to ${out.topic}`);
    return `${JSON.stringify({
      topic: out.topic,
      key: keyCodec.toJson(out.key),
      value: valueCodec.toJson(out.value),
      headers: out.headers.map((h) => ({
        key: h.key,
        value: Buffer.isBuffer(h.value) ? h.value.toString('base64') : h.value,
      })),
      timestamp: out.timestamp,
    })}\n`;
  }
}
