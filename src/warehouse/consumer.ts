/**
 * The warehouse consumer: a consumer group (through the port in src/kafka/consumer-port.ts) that decodes
 * registry-framed Avro (Confluent or Glue), maps each record to rows and hands them to a sink.
 *
 * At least once, plus an idempotent upsert on eventId:
 * - offsets are committed only for positions the sink reports durable (a table sink: after its
 *   transaction; the Parquet sink: after a file is published), so a crash re-reads and re-upserts;
 * - a record whose own bytes are bad becomes a decode-error row and never stops the consumer;
 * - a record that cannot be read because of this consumer's setup (wrong registry URL, missing or
 *   refused credentials, no registry for that framing, a schema id the registry does not hold) stops the
 *   run with nothing of that batch committed, so the next run with the right setting reads it;
 * - a failure that may pass (registry or database unreachable) is retried, then stops the run the same way.
 *
 * Throughput: decoding runs on the Node thread while the sink writes on its own (DuckDB's threads, the
 * PostgreSQL server), so each fetched batch is decoded and queued, and the client goes on fetching while
 * a single writer loop merges what is queued into one sink write and commits after it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, isRetriable } from '../errors.ts';
import type {
  BatchControl,
  ConsumedBatch,
  ConsumedRecord,
  ConsumerGroupPort,
  TopicPartition,
  TopicPartitionOffset,
} from '../kafka/consumer-port.ts';
import type { AvroSchemaInput } from '../serde/avro-types.ts';
import { classifyDecodeFailure, type DecodeOptions } from '../serde/decoder.ts';
import type { DecodeResult } from '../serde/types.ts';
import { detectWireFormat } from '../serde/wire-format.ts';
import { WarehouseError } from './errors.ts';
import { mergeExtraColumns, type SchemaExtras, schemaExtras } from './evolution.ts';
import type { ExtraColumn, PartitionSlice, SinkBatch, SliceRecord } from './model.ts';
import { decodeErrorRow, type RowMappingOptions, toWarehouseEvent } from './rows.ts';
import type { Sink } from './sink.ts';

/** The decoder surface the consumer needs (src/serde/decoder.ts's AvroDecoder fits). */
export interface RecordDecoder {
  decode(bytes: Buffer, options?: DecodeOptions): Promise<DecodeResult>;
  /** The same without waiting, when the writer schema is already known (undefined otherwise). */
  decodeKnown?(bytes: Buffer, options?: DecodeOptions): DecodeResult | undefined;
}

export interface ConsumeProgress {
  /** Records handed to the sink so far (a sink that rolls files makes them durable later). */
  records: number;
  events: number;
  decodeErrors: number;
  topic: string;
  partition: number;
  /** Offset of the last record handed to the sink. */
  offset: string;
  /** Records left in this partition after it, as of the fetch. */
  lag: number;
}

/**
 * max, idle, signal: stopped as asked. failed: a write, commit loop or the client failed, or a record
 * could not be read for a reason that may pass. setup: a record could not be read because of this
 * consumer's configuration (see decoder.ts, DecodeFailure).
 */
export type StopReason = 'max' | 'idle' | 'signal' | 'failed' | 'setup';

export interface ConsumeSummary {
  /** Records handed to the sink and made durable: events plus decode errors. */
  records: number;
  events: number;
  decodeErrors: number;
  /** Sink writes. */
  batches: number;
  /** Records whose writer schema the reader schema cannot resolve, read in the writer's own shape instead. */
  readInWriterShape: number;
  /** Extra columns (schema evolution) this run added rows for, by column name. */
  extraColumns: string[];
  stoppedBecause: StopReason;
  error?: Error;
}

/** What happened, for metrics; every hook is optional and must not throw. */
export interface ConsumerObserver {
  assigned?(partitions: readonly TopicPartition[]): void;
  written?(counts: { events: number; recipients: number; decodeErrors: number }): void;
  decodeError?(code: string): void;
  committed?(offsets: readonly TopicPartitionOffset[]): void;
  /** Records in the partition not yet durable in the sink: high watermark minus the committed offset. */
  lag?(topic: string, partition: number, lag: number): void;
  state?(state: 'joining' | 'running' | 'stopping' | 'stopped'): void;
}

export type UnknownSchemaPolicy = 'stop' | 'decode-error';

export interface ConsumeOptions {
  consumer: ConsumerGroupPort;
  topics: readonly string[];
  /** Where a partition with no committed offset starts: the earliest record (true) or only new ones. */
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
  mapping?: Pick<RowMappingOptions, 'campaignKeys' | 'now'>;
  /** Attempts for a write or decode that failed with a retriable error, including the first. */
  attempts?: number;
  /** A record whose schema id the registry does not hold: stop (the default), or file it as undecodable. */
  unknownSchema?: UnknownSchemaPolicy;
  /** How often a sink that buffers (Parquet) is asked to write what its time limit says is due. */
  flushCheckMs?: number;
  onProgress?: (progress: ConsumeProgress) => void;
  /** Warnings worth a line (e.g. a commit that failed after a write); never holds record contents. */
  onWarning?: (message: string) => void;
  /** Things worth knowing that are not a problem, e.g. a column a newer schema version brought. */
  onNotice?: (message: string) => void;
  observer?: ConsumerObserver;
}

const DEFAULT_ATTEMPTS = 3;
const IDLE_CHECK_INTERVAL_MS = 100;
const DEFAULT_FLUSH_CHECK_MS = 1_000;
/** Decoded records waiting for the writer; a fetch waits while more are queued (memory stays bounded). */
const MAX_QUEUED_RECORDS = 40_000;
/** Records per sink write, at most: large enough to spread each transaction's fixed cost. */
const MAX_WRITE_RECORDS = 20_000;
/**
 * A write starts once this many records are queued, or once the oldest has waited LINGER_MS: each sink
 * write has a fixed cost (statement planning, a transaction, an fsync) that small writes pay per record.
 */
const MIN_WRITE_RECORDS = 5_000;
const LINGER_MS = 200;

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
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'DECODE_FAILED';
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
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

/** Stops the run with a reason; thrown out of decoding so the batch is abandoned uncommitted. */
class StopRun extends Error {
  constructor(
    readonly reason: StopReason,
    readonly failure: Error,
  ) {
    super(failure.message);
  }
}

type QueueItem =
  | { kind: 'batch'; generation: number; batch: SinkBatch; records: number; queuedAt: number }
  | { kind: 'flush'; mode: 'due' | 'all' }
  | { kind: 'retain'; owned: readonly TopicPartition[] };

/** Consumes until a stop condition is met; never throws for a record, returns how the run ended. */
export async function runConsumer(options: ConsumeOptions): Promise<ConsumeSummary> {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const observer = options.observer ?? {};
  const summary: ConsumeSummary = {
    records: 0,
    events: 0,
    decodeErrors: 0,
    batches: 0,
    readInWriterShape: 0,
    extraColumns: [],
    stoppedBecause: 'idle',
  };
  if (options.max !== undefined && options.max <= 0) return { ...summary, stoppedBecause: 'max' };
  const writersNotResolvable = new Set<string>();
  const announcedColumns = new Set<string>();
  const readerExtras = options.readerSchema === undefined ? undefined : schemaExtras(options.readerSchema);

  let stopping = false;
  let failed = false;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const stop = (reason: StopReason, error?: Error) => {
    const failure = reason === 'failed' || reason === 'setup';
    if (stopping) {
      // A failure while finishing (the final flush, say) still has to be reported, whatever stopped the run.
      if (failure && !failed) {
        failed = true;
        summary.stoppedBecause = reason;
        if (error) summary.error = error;
      }
      return;
    }
    stopping = true;
    summary.stoppedBecause = reason;
    if (error) summary.error = error;
    if (reason === 'failed' || reason === 'setup') failed = true;
    // No further fetches: a batch handed over now would only be dropped and fetched again.
    if (assigned.length > 0) {
      try {
        options.consumer.pause(assigned);
      } catch {
        // Not started or already gone: nothing is being fetched.
      }
    }
    releaseRoom();
    wake();
    resolveDone();
  };

  // ---- decoding ---------------------------------------------------------------------------------

  type Decoded = { result: DecodeResult; extras: SchemaExtras };

  /** Reads `bytes` into the reader schema, or its writer's shape when the reader cannot resolve it. */
  function readerFallback(error: unknown, key: string | undefined): void {
    if (errorCode(error) !== 'SERDE_SCHEMA_MISMATCH') throw error;
    // A transform chain can drop fields the reader schema requires; the row mapping copes with the
    // writer's own shape, leaving those columns NULL.
    if (key) writersNotResolvable.add(key);
    options.onWarning?.(
      `reader schema cannot read writer schema ${key ?? '(unknown)'}; reading it in its own shape: ${describeError(error)}`,
    );
  }

  function inWriterShape(result: DecodeResult): Decoded {
    if (options.readerSchema !== undefined) summary.readInWriterShape += 1;
    return { result, extras: schemaExtras(result.writerSchema) };
  }

  /** The synchronous path: undefined when a writer schema has to be fetched first. */
  function decodeKnown(bytes: Buffer): Decoded | undefined {
    const decodeNow = options.decoder.decodeKnown?.bind(options.decoder);
    if (decodeNow === undefined) return undefined;
    if (options.readerSchema !== undefined) {
      const key = writerKey(bytes);
      if (!(key && writersNotResolvable.has(key))) {
        try {
          const result = decodeNow(bytes, { readerSchema: options.readerSchema });
          return result === undefined ? undefined : { result, extras: readerExtras as SchemaExtras };
        } catch (error) {
          readerFallback(error, key);
        }
      }
    }
    const result = decodeNow(bytes);
    return result === undefined ? undefined : inWriterShape(result);
  }

  async function decodeRecord(bytes: Buffer): Promise<Decoded> {
    if (options.readerSchema !== undefined) {
      const key = writerKey(bytes);
      if (!(key && writersNotResolvable.has(key))) {
        try {
          const result = await options.decoder.decode(bytes, { readerSchema: options.readerSchema });
          return { result, extras: readerExtras as SchemaExtras };
        } catch (error) {
          readerFallback(error, key);
        }
      }
    }
    return inWriterShape(await options.decoder.decode(bytes));
  }

  function announce(extras: SchemaExtras, schemaId: string): void {
    for (const field of extras.fields) {
      if (announcedColumns.has(field.column.name)) continue;
      announcedColumns.add(field.column.name);
      summary.extraColumns.push(field.column.name);
      options.onNotice?.(
        `schema ${schemaId} has field ${field.column.field}, which the fixed columns do not map: loading it into column ${field.column.name} (${field.column.type})`,
      );
    }
    for (const field of extras.skipped) {
      if (announcedColumns.has(`skipped:${field}`)) continue;
      announcedColumns.add(`skipped:${field}`);
      options.onWarning?.(
        `schema ${schemaId} has field ${field}, whose column name a fixed column already has: it is kept in raw_value only`,
      );
    }
  }

  function fileError(slice: PartitionSlice, message: ConsumedRecord, code: string, text: string): void {
    const row = decodeErrorRow(
      { topic: slice.topic, partition: slice.partition, offset: message.offset },
      message,
      {
        code,
        message: text,
      },
    );
    slice.records.push({ offset: message.offset, valueBytes: message.value?.length ?? 0, decodeError: row });
    observer.decodeError?.(code);
  }

  async function prepare(batch: ConsumedBatch, records: readonly ConsumedRecord[]): Promise<SinkBatch> {
    const { topic, partition } = batch;
    const slice: PartitionSlice = { topic, partition, records: [] };
    let extraColumns: ExtraColumn[] = [];
    let lastExtras: SchemaExtras | undefined;
    const seenExtras = new Set<SchemaExtras>();
    // One mapping-options object per batch and per schema, not per record.
    const baseMapping: RowMappingOptions = {
      ...(options.mapping?.campaignKeys === undefined ? {} : { campaignKeys: options.mapping.campaignKeys }),
      ingestedAt: (options.mapping?.now?.() ?? new Date()).toISOString(),
    };
    let mapping = baseMapping;
    for (const message of records) {
      if (message.value === null || message.value.length === 0) {
        fileError(
          slice,
          message,
          'EMPTY_VALUE',
          'record has no value (tombstone or empty), nothing to decode',
        );
        continue;
      }
      let decoded: Decoded;
      try {
        decoded =
          decodeKnown(message.value) ??
          (await withRetries(attempts, () => decodeRecord(message.value as Buffer)));
      } catch (error) {
        const failure = classifyDecodeFailure(error);
        if (
          failure === 'record' ||
          (failure === 'unknown-schema' && options.unknownSchema === 'decode-error')
        ) {
          fileError(slice, message, errorCode(error), describeError(error));
          continue;
        }
        // Not this record's fault: it may be fine, so the batch fails uncommitted rather than filing a
        // good record as undecodable.
        throw new StopRun(failure === 'unavailable' ? 'failed' : 'setup', asError(error));
      }
      const { result, extras } = decoded;
      if (extras !== lastExtras) {
        lastExtras = extras;
        mapping = { ...baseMapping, schema: extras };
        if (!seenExtras.has(extras)) {
          seenExtras.add(extras);
          extraColumns = mergeExtraColumns(
            extraColumns,
            extras.fields.map((field) => field.column),
          );
          announce(extras, `${result.schemaRef.format} ${result.schemaRef.id}`);
        }
      }
      const mapped = toWarehouseEvent(
        result.value,
        {
          topic,
          partition,
          offset: message.offset,
          wireFormat: result.schemaRef.format,
          schemaId: result.schemaRef.id,
        },
        mapping,
      );
      if (mapped.ok)
        slice.records.push({ offset: message.offset, valueBytes: message.value.length, event: mapped.row });
      else fileError(slice, message, mapped.code, mapped.message);
    }
    return { slices: [slice], extraColumns };
  }

  // ---- the writer ---------------------------------------------------------------------------------

  let generation = 0;
  const queue: QueueItem[] = [];
  let queuedRecords = 0;
  let submitted = 0;
  let writing = false;
  let wake: () => void = () => undefined;
  let roomWaiters: Array<() => void> = [];
  const committedAt = new Map<string, bigint>();
  const highWatermarks = new Map<string, bigint>();

  const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

  function reportLag(topic: string, partition: number): void {
    const key = tpKey(topic, partition);
    const high = highWatermarks.get(key);
    const committed = committedAt.get(key);
    if (high !== undefined && committed !== undefined) {
      observer.lag?.(topic, partition, Math.max(0, Number(high - committed)));
    }
  }

  function enqueue(item: QueueItem): void {
    queue.push(item);
    if (item.kind === 'batch') queuedRecords += item.records;
    wake();
  }

  function releaseRoom(): void {
    if (queuedRecords >= MAX_QUEUED_RECORDS && !stopping) return;
    const waiters = roomWaiters;
    roomWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async function waitForRoom(control: BatchControl): Promise<void> {
    while (queuedRecords >= MAX_QUEUED_RECORDS && !stopping) {
      await Promise.race([new Promise<void>((resolve) => roomWaiters.push(resolve)), sleep(1_000)]);
      await control.heartbeat().catch(() => undefined);
    }
  }

  /** Takes the next thing to do: a flush or retain on its own, or all queued batches merged. */
  function takeWork(): QueueItem | undefined {
    const first = queue[0];
    if (first === undefined) return undefined;
    if (first.kind !== 'batch') return queue.shift();
    const slices: PartitionSlice[] = [];
    let extraColumns: readonly ExtraColumn[] = [];
    let records = 0;
    while (queue[0]?.kind === 'batch' && records < MAX_WRITE_RECORDS) {
      const item = queue.shift() as Extract<QueueItem, { kind: 'batch' }>;
      queuedRecords -= item.records;
      // Read before a rebalance: the client reads it again from the last commit, so it is dropped.
      if (item.generation !== generation) continue;
      slices.push(...item.batch.slices);
      extraColumns = mergeExtraColumns(extraColumns, item.batch.extraColumns);
      records += item.records;
    }
    releaseRoom();
    return { kind: 'batch', generation, batch: { slices, extraColumns }, records, queuedAt: Date.now() };
  }

  /** How long to wait for more records before writing what is queued (0: write now). */
  function lingerFor(): number {
    const first = queue[0];
    if (first?.kind !== 'batch' || draining || stopping || queuedRecords >= MIN_WRITE_RECORDS) return 0;
    return Math.max(0, LINGER_MS - (Date.now() - first.queuedAt));
  }

  /** Written to the sink, per partition, in offset order, until the sink says it is durable. */
  const notYetDurable = new Map<string, Array<{ next: bigint; events: number; errors: number }>>();
  const written = { records: 0, events: 0, decodeErrors: 0 };

  function countDurable(offsets: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      const pending = notYetDurable.get(tpKey(topic, partition)) ?? [];
      while (pending.length > 0 && (pending[0] as { next: bigint }).next <= BigInt(offset)) {
        const done = pending.shift() as { events: number; errors: number };
        summary.records += done.events + done.errors;
        summary.events += done.events;
        summary.decodeErrors += done.errors;
      }
    }
  }

  async function commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    countDurable(offsets);
    try {
      await options.consumer.commit(offsets);
      for (const { topic, partition, offset } of offsets) {
        committedAt.set(tpKey(topic, partition), BigInt(offset));
        reportLag(topic, partition);
      }
      observer.committed?.(offsets);
    } catch (error) {
      // The rows are already written; an uncommitted batch is only read again and upserted again.
      options.onWarning?.(
        `commit of ${offsets.map((o) => `${o.topic}[${o.partition}]@${o.offset}`).join(', ')} failed, will be re-read: ${describeError(error)}`,
      );
    }
  }

  async function perform(item: QueueItem): Promise<void> {
    if (item.kind === 'retain') {
      options.sink.retain(item.owned);
      // What the sink still buffered is gone; it is read again and counted when it is written again.
      notYetDurable.clear();
      return;
    }
    if (item.kind === 'flush') {
      await commit(await withRetries(attempts, () => options.sink.flush(item.mode)));
      return;
    }
    if (item.batch.slices.length === 0) return;
    const durable = await withRetries(attempts, () => options.sink.write(item.batch));
    let events = 0;
    let recipients = 0;
    let errors = 0;
    for (const slice of item.batch.slices) {
      const counts = {
        next: BigInt((slice.records.at(-1) as SliceRecord).offset) + 1n,
        events: 0,
        errors: 0,
      };
      for (const record of slice.records) {
        if (record.event) {
          counts.events += 1;
          recipients += record.event.recipients.length;
        } else counts.errors += 1;
      }
      events += counts.events;
      errors += counts.errors;
      const key = tpKey(slice.topic, slice.partition);
      notYetDurable.set(key, [...(notYetDurable.get(key) ?? []), counts]);
    }
    written.records += item.records;
    written.events += events;
    written.decodeErrors += errors;
    summary.batches += 1;
    observer.written?.({ events, recipients, decodeErrors: errors });
    await commit(durable);
    const lastSlice = item.batch.slices.at(-1) as PartitionSlice;
    const last = lastSlice.records.at(-1) as SliceRecord;
    const high = highWatermarks.get(tpKey(lastSlice.topic, lastSlice.partition));
    options.onProgress?.({
      records: written.records,
      events: written.events,
      decodeErrors: written.decodeErrors,
      topic: lastSlice.topic,
      partition: lastSlice.partition,
      offset: last.offset,
      lag: high === undefined ? 0 : Math.max(0, Number(high - BigInt(last.offset) - 1n)),
    });
  }

  let writerStopped = false;
  let draining = false;
  async function writerLoop(): Promise<void> {
    while (!writerStopped) {
      const linger = failed ? 0 : lingerFor();
      if (linger > 0) {
        await Promise.race([
          sleep(linger),
          new Promise<void>((resolve) => {
            wake = resolve;
          }),
        ]);
        continue;
      }
      const item = failed ? undefined : takeWork();
      if (item === undefined) {
        if (draining || failed) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      writing = true;
      try {
        await perform(item);
      } catch (error) {
        // Files a sink published before it failed are durable: commit them, and nothing after them.
        if (error instanceof WarehouseError && error.durable.length > 0) await commit(error.durable);
        stop('failed', asError(error));
        return;
      } finally {
        writing = false;
        if (item.kind === 'batch') lastActivity = Date.now();
      }
      if (options.max !== undefined && written.records >= options.max) stop('max');
    }
  }

  // ---- the consumer group ---------------------------------------------------------------------------

  let lastActivity = Date.now();
  let joined = false;
  let assigned: readonly TopicPartition[] = [];
  let inBatch: Promise<void> = Promise.resolve();

  async function handleBatch(batch: ConsumedBatch, control: BatchControl): Promise<void> {
    if (stopping || failed || !control.isActive()) return;
    const remaining = options.max === undefined ? batch.records.length : options.max - submitted;
    const records = batch.records.slice(0, Math.max(0, remaining));
    const last = records.at(-1);
    if (last === undefined) return;
    lastActivity = Date.now();
    const key = tpKey(batch.topic, batch.partition);
    highWatermarks.set(key, BigInt(batch.highWatermark));
    if (!committedAt.has(key)) committedAt.set(key, BigInt(records[0]?.offset ?? last.offset));
    reportLag(batch.topic, batch.partition);
    const fetchedIn = generation;
    let prepared: SinkBatch;
    try {
      prepared = await prepare(batch, records);
    } catch (error) {
      // Nothing of this batch is committed: pause it so no later fetch of it gets processed, then stop.
      options.consumer.pause([{ topic: batch.topic, partition: batch.partition }]);
      if (error instanceof StopRun) stop(error.reason, error.failure);
      else stop('failed', asError(error));
      return;
    }
    if (stopping || fetchedIn !== generation || !control.isActive()) return;
    submitted += records.length;
    enqueue({
      kind: 'batch',
      generation: fetchedIn,
      batch: prepared,
      records: records.length,
      queuedAt: Date.now(),
    });
    // The position moves on (not a commit): the client fetches the next records while these are written.
    control.markRead(last.offset);
    lastActivity = Date.now();
    await waitForRoom(control);
  }

  const onAbort = () => stop('signal');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop('signal');

  const idleTimer =
    options.untilIdleMs === undefined
      ? undefined
      : setInterval(() => {
          const quiet = queue.length === 0 && !writing;
          if (joined && quiet && Date.now() - lastActivity >= (options.untilIdleMs as number)) stop('idle');
        }, IDLE_CHECK_INTERVAL_MS);
  const flushTimer = setInterval(() => {
    if (!stopping && !queue.some((item) => item.kind === 'flush')) enqueue({ kind: 'flush', mode: 'due' });
  }, options.flushCheckMs ?? DEFAULT_FLUSH_CHECK_MS);

  const writer = writerLoop();
  observer.state?.('joining');
  try {
    if (!stopping) {
      await options.consumer.start(
        { topics: options.topics, fromBeginning: options.fromBeginning ?? false },
        {
          onBatch: (batch, control) => {
            inBatch = handleBatch(batch, control);
            return inBatch;
          },
          onAssigned: (partitions) => {
            // A rebalance: the client reads every partition again from its last commit.
            generation += 1;
            assigned = partitions;
            joined = true;
            lastActivity = Date.now();
            enqueue({ kind: 'retain', owned: partitions });
            observer.assigned?.(partitions);
            observer.state?.('running');
          },
          onFatal: (error) => stop('failed', error),
        },
      );
    }
    await done;
  } catch (error) {
    stop('failed', asError(error));
  } finally {
    observer.state?.('stopping');
    if (idleTimer) clearInterval(idleTimer);
    clearInterval(flushTimer);
    options.signal?.removeEventListener('abort', onAbort);
    // Graceful: no further fetches (stop() paused them), the batch in hand finishes, what is queued is
    // written, the buffered sink writes everything it holds, and those offsets are committed before the
    // group is left.
    await inBatch.catch(() => undefined);
    if (!failed) {
      enqueue({ kind: 'flush', mode: 'all' });
    }
    draining = true;
    wake();
    await writer;
    writerStopped = true;
    await options.consumer.stop().catch(() => undefined);
    observer.state?.('stopped');
  }
  return summary;
}
