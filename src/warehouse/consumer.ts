/**
 * The warehouse consumer: a kafkajs consumer group that decodes registry-framed Avro (Confluent or Glue),
 * maps each record to rows and hands each batch to a sink.
 *
 * At-least-once: auto-commit is off and a batch's offsets are committed only after the sink has written
 * it durably. A crash in between re-reads the batch, and the sinks upsert on eventId, so nothing is
 * duplicated. A record that cannot be decoded is written to the decode-errors table with its
 * topic/partition/offset and never stops the consumer; a failure that may pass (registry or database
 * unreachable) is retried, then stops the run without committing, so the next run starts there.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Consumer, type EachBatchPayload, Kafka, type KafkaConfig, type KafkaMessage } from 'kafkajs';
import { describeError, isRetriable, PipelineError } from '../errors.ts';
import type { AvroSchemaInput } from '../serde/avro-types.ts';
import type { DecodeOptions } from '../serde/decoder.ts';
import type { DecodeResult } from '../serde/types.ts';
import { detectWireFormat } from '../serde/wire-format.ts';
import type { DecodeErrorRow, SinkBatch, WarehouseEvent } from './model.ts';
import { decodeErrorRow, type RecordOrigin, type RowMappingOptions, toWarehouseEvent } from './rows.ts';
import type { Sink } from './sink.ts';

/** The decoder surface the consumer needs (src/serde/decoder.ts's AvroDecoder fits). */
export interface RecordDecoder {
  decode(bytes: Buffer, options?: DecodeOptions): Promise<DecodeResult>;
}

export interface ConsumeProgress {
  records: number;
  events: number;
  decodeErrors: number;
  topic: string;
  partition: number;
  /** Offset of the last record written and committed. */
  offset: string;
  /** Records left in this partition after it, as of the fetch. */
  lag: number;
}

export type StopReason = 'max' | 'idle' | 'signal' | 'failed';

export interface ConsumeSummary {
  /** Records written and committed: events plus decode errors. */
  records: number;
  events: number;
  decodeErrors: number;
  batches: number;
  /** Records whose writer schema the reader schema cannot resolve, read in the writer's own shape instead. */
  readInWriterShape: number;
  stoppedBecause: StopReason;
  error?: Error;
}

export interface ConsumeOptions {
  kafka: KafkaConfig;
  groupId: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts: the earliest record (true) or only new ones. */
  fromBeginning?: boolean;
  decoder: RecordDecoder;
  /** Decode into this shape (Avro schema resolution); each writer's own shape when absent. */
  readerSchema?: AvroSchemaInput;
  sink: Sink;
  /** Stop after this many records. */
  max?: number;
  /** Stop once no record has arrived for this long (after joining the group). */
  untilIdleMs?: number;
  signal?: AbortSignal;
  mapping?: RowMappingOptions;
  /** Attempts for a write or decode that failed with a retriable error, including the first. */
  attempts?: number;
  /** Longest kafkajs waits for new records per fetch; bounds how late idleness is noticed. */
  maxWaitTimeInMs?: number;
  onProgress?: (progress: ConsumeProgress) => void;
  /** Warnings worth a line (e.g. a commit that failed after a write); never holds record contents. */
  onWarning?: (message: string) => void;
}

const DEFAULT_ATTEMPTS = 3;
const IDLE_CHECK_INTERVAL_MS = 100;

async function withRetries<T>(attempts: number, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isRetriable(error)) throw error;
      await sleep(Math.min(200 * 2 ** (attempt - 1), 2_000));
    }
  }
}

function errorCode(error: unknown): string {
  if (error instanceof PipelineError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'DECODE_FAILED';
}

/** Identifies a writer schema from the frame header alone, so a failed resolution is remembered per writer. */
function writerKey(bytes: Buffer): string | undefined {
  try {
    const format = detectWireFormat(bytes);
    return format === 'confluent'
      ? `confluent:${bytes.readUInt32BE(1)}`
      : `glue:${bytes.subarray(2, 18).toString('hex')}`;
  } catch {
    return undefined;
  }
}

/** Consumes until a stop condition is met; never throws for a record, returns how the run ended. */
export async function runConsumer(options: ConsumeOptions): Promise<ConsumeSummary> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const summary: ConsumeSummary = {
    records: 0,
    events: 0,
    decodeErrors: 0,
    batches: 0,
    readInWriterShape: 0,
    stoppedBecause: 'idle',
  };
  if (options.max !== undefined && options.max <= 0) return { ...summary, stoppedBecause: 'max' };
  const writersNotResolvable = new Set<string>();

  let stopping = false;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const stop = (reason: StopReason, error?: Error) => {
    if (stopping) return;
    stopping = true;
    summary.stoppedBecause = reason;
    if (error) summary.error = error;
    resolveDone();
  };

  async function decodeRecord(message: KafkaMessage): Promise<DecodeResult> {
    const bytes = message.value as Buffer;
    const key = writerKey(bytes);
    if (options.readerSchema !== undefined && !(key && writersNotResolvable.has(key))) {
      try {
        return await options.decoder.decode(bytes, { readerSchema: options.readerSchema });
      } catch (error) {
        if (errorCode(error) !== 'SERDE_SCHEMA_MISMATCH') throw error;
        // A transform chain can drop fields the reader schema requires; the row mapping copes with the
        // writer's own shape, leaving those columns NULL.
        if (key) writersNotResolvable.add(key);
        options.onWarning?.(
          `reader schema cannot read writer schema ${key ?? '(unknown)'}; reading it in its own shape: ${describeError(error)}`,
        );
      }
    }
    const result = await options.decoder.decode(bytes);
    if (options.readerSchema !== undefined) summary.readInWriterShape += 1;
    return result;
  }

  async function prepare(topic: string, partition: number, messages: KafkaMessage[]): Promise<SinkBatch> {
    const events: WarehouseEvent[] = [];
    const decodeErrors: DecodeErrorRow[] = [];
    for (const message of messages) {
      const origin: RecordOrigin = { topic, partition, offset: message.offset };
      const record = { key: message.key ?? null, value: message.value ?? null };
      if (record.value === null || record.value.length === 0) {
        decodeErrors.push(
          decodeErrorRow(origin, record, {
            code: 'EMPTY_VALUE',
            message: 'record has no value (tombstone or empty), nothing to decode',
          }),
        );
        continue;
      }
      let decoded: DecodeResult;
      try {
        decoded = await withRetries(attempts, () => decodeRecord(message));
      } catch (error) {
        // Retriable means the registry could not be asked; the record itself may be fine, so the batch
        // fails uncommitted rather than filing a good record as undecodable.
        if (isRetriable(error)) throw error;
        decodeErrors.push(
          decodeErrorRow(origin, record, { code: errorCode(error), message: describeError(error) }),
        );
        continue;
      }
      const mapped = toWarehouseEvent(
        decoded.value,
        { ...origin, wireFormat: decoded.schemaRef.format, schemaId: decoded.schemaRef.id },
        options.mapping,
      );
      if (mapped.ok) events.push(mapped.row);
      else decodeErrors.push(decodeErrorRow(origin, record, mapped));
    }
    return { events, decodeErrors };
  }

  let lastActivity = Date.now();
  let joined = false;
  let busy = false;

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause } = payload;
    if (stopping || !isRunning() || isStale()) return;
    const remaining = options.max === undefined ? batch.messages.length : options.max - summary.records;
    const messages = batch.messages.slice(0, remaining);
    const last = messages.at(-1);
    if (last === undefined) return;
    busy = true;
    try {
      const prepared = await prepare(batch.topic, batch.partition, messages);
      await heartbeat();
      await withRetries(attempts, () => options.sink.write(prepared));
      resolveOffset(last.offset);
      const next = (BigInt(last.offset) + 1n).toString();
      try {
        await commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
        });
      } catch (error) {
        // The rows are already written; an uncommitted batch is only read again and upserted again.
        options.onWarning?.(
          `commit of ${batch.topic}[${batch.partition}] offset ${next} failed, will be re-read: ${describeError(error)}`,
        );
      }
      summary.records += messages.length;
      summary.events += prepared.events.length;
      summary.decodeErrors += prepared.decodeErrors.length;
      summary.batches += 1;
      options.onProgress?.({
        records: summary.records,
        events: summary.events,
        decodeErrors: summary.decodeErrors,
        topic: batch.topic,
        partition: batch.partition,
        offset: last.offset,
        lag: Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(next))),
      });
      await heartbeat();
      if (options.max !== undefined && summary.records >= options.max) stop('max');
    } catch (error) {
      // Nothing of this batch is committed: pause it so no later fetch of it gets processed, then stop.
      pause();
      stop('failed', error instanceof Error ? error : new Error(String(error)));
    } finally {
      busy = false;
      lastActivity = Date.now();
    }
  }

  const kafka = new Kafka(options.kafka);
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: options.maxWaitTimeInMs ?? 500,
    retry: { retries: 5 },
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    lastActivity = Date.now();
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) stop('failed', event.payload.error);
  });
  const onAbort = () => stop('signal');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop('signal');

  const idleTimer =
    options.untilIdleMs === undefined
      ? undefined
      : setInterval(() => {
          if (joined && !busy && Date.now() - lastActivity >= (options.untilIdleMs as number)) stop('idle');
        }, IDLE_CHECK_INTERVAL_MS);

  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? false });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
    await done;
  } catch (error) {
    stop('failed', error instanceof Error ? error : new Error(String(error)));
  } finally {
    if (idleTimer) clearInterval(idleTimer);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
  }
  return summary;
}
