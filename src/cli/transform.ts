import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { ConfigError, describeError } from '../errors.ts';
import { describeJsonSyntaxError, redactText } from '../observability/redact.ts';
import type { KafkaHeader, KafkaRecord } from '../record.ts';
import { TransformChain } from '../transforms/chain.ts';
import { loadConfigFile } from '../transforms/config-source.ts';
import { plainJsonCodec } from '../transforms/plain-json.ts';
import type { AvroSchema } from '../transforms/schema.ts';

const DEFAULT_SCHEMA = 'schemas/ses-email-event/v1.avsc';

interface TransformOptions {
  config: string;
  schema?: string;
  keySchema?: string;
  printSchema?: boolean;
}

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

/** `ses-kafka transform`: JSON-lines records in, transformed records out; filtered records are omitted. */
export function registerTransformCommand(program: Command): void {
  program
    .command('transform')
    .description('Run records (JSON lines on stdin) through a Connect-style transform chain')
    .requiredOption('--config <file>', 'transform config (.properties, or .json)')
    .option('--schema <file.avsc>', 'input value schema', DEFAULT_SCHEMA)
    .option('--key-schema <file.avsc>', 'input key schema (default: string)')
    .option('--print-schema', 'print the chain output value (and key) schema and exit')
    .action(async (options: TransformOptions) => {
      try {
        await runTransform(options);
      } catch (error) {
        process.stderr.write(`ses-kafka transform: ${redactText(describeError(error))}\n`);
        process.exitCode = 2;
      }
    });
}

async function runTransform(options: TransformOptions): Promise<void> {
  const schemaPath = options.schema ?? DEFAULT_SCHEMA;
  if (!existsSync(schemaPath)) throw new ConfigError('--schema', `no such file ${schemaPath}`);
  const valueSchema = readSchema(schemaPath, '--schema');
  const keySchema = options.keySchema ? readSchema(options.keySchema, '--key-schema') : 'string';
  const chain = TransformChain.build(loadConfigFile(options.config), { valueSchema, keySchema });
  if (options.printSchema) {
    const printed = chain.keySchemaChanged
      ? { key: chain.outputKeySchema, value: chain.outputValueSchema }
      : chain.outputValueSchema;
    process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
    return;
  }
  const valueIn = plainJsonCodec(valueSchema);
  const keyIn = plainJsonCodec(keySchema);
  const valueOut = plainJsonCodec(chain.outputValueSchema);
  const keyOut = plainJsonCodec(chain.outputKeySchema);
  // Every line of stderr may quote input, so each goes through the one redaction function.
  const writeErr = (text: string) => process.stderr.write(`${redactText(text)}\n`);
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    lineNumber++;
    if (line.trim() === '') continue;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      writeErr(`line ${lineNumber}: not JSON (${describeJsonSyntaxError(error)})`);
      process.exitCode = 1;
      continue;
    }
    let printed: string | undefined | null;
    try {
      printed = transformLine(raw, lineNumber, writeErr);
    } catch (error) {
      // A line the codecs cannot walk (e.g. nested past the stack) fails alone; the others go on.
      const reason = error instanceof RangeError ? 'nested too deeply to process' : describeError(error);
      writeErr(`line ${lineNumber}: ${reason}`);
      process.exitCode = 1;
      continue;
    }
    if (printed === null) return;
    if (printed !== undefined) process.stdout.write(printed);
  }

  /** One input line: the output text, undefined when nothing is printed, null to stop (tolerance none). */
  function transformLine(
    raw: Record<string, unknown>,
    lineNumber: number,
    writeErr: (text: string) => void,
  ): string | undefined | null {
    const record: KafkaRecord = {
      topic: typeof raw.topic === 'string' ? raw.topic : 'ses-email-events',
      key: keyIn.fromJson(raw.key ?? null),
      value: valueIn.fromJson(raw.value ?? null),
      headers: parseHeaders(raw.headers, lineNumber),
      timestamp: typeof raw.timestamp === 'number' ? raw.timestamp : Date.now(),
      ...(typeof raw.partition === 'number' ? { partition: raw.partition } : {}),
      ...(typeof raw.offset === 'number' ? { offset: raw.offset } : {}),
    };
    const outcome = chain.apply(record);
    if (outcome.kind === 'filtered') {
      if (outcome.error)
        writeErr(`line ${lineNumber}: dropped (errors.tolerance=all): ${outcome.error.message}`);
      return undefined;
    }
    if (outcome.kind === 'failed') {
      writeErr(`line ${lineNumber}: ${outcome.error.message}`);
      process.exitCode = 1;
      return null;
    }
    const out = outcome.record;
    // A dead-lettered record is the original, so it keeps the input schemas.
    const [keyCodec, valueCodec] = outcome.kind === 'dead-letter' ? [keyIn, valueIn] : [keyOut, valueOut];
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
