import type { IHeaders, Kafka as KafkaClient, KafkaConfig, Message, Producer, ProducerConfig } from 'kafkajs';
import { Kafka, Partitioners } from 'kafkajs';
import { PipelineError } from '../errors.ts';
import { logger } from '../observability/logger.ts';
import { type ClientOptions, type ClientSettings, kafkaClientConfig } from './client.ts';
import { deadlineExceeded, PRODUCE_ERROR_CODES, toProduceError } from './errors.ts';

/** One record for Kafka. The caller has already serialized the value and chosen key and headers. */
export interface OutgoingRecord {
  topic: string;
  /**
   * `mail.messageId` for SES events, so the events of one email share a partition. Their order there is
   * arrival order, not SES order (SNS invokes concurrently, SQS reorders, retries reorder): consumers
   * order by `eventTime`.
   */
  key: string | Buffer | null;
  value: string | Buffer | null;
  /** Event type and schema id/version for events; stage and error details for dead letters. */
  headers?: Readonly<Record<string, string | Buffer | ReadonlyArray<string | Buffer>>>;
  /** Epoch milliseconds; the broker's clock is used when left out. */
  timestamp?: number;
}

export type SendResult = { ok: true; topic: string } | { ok: false; error: PipelineError };

/** Where records go. One result per input record, in the same order; sends never throw. */
export interface ProducerPort {
  /**
   * @param deadline epoch milliseconds by which every record is acknowledged or reported failed; pass
   *   something shorter than the Lambda's remaining time so the handler still has time to answer.
   */
  send(batch: readonly OutgoingRecord[], deadline: number): Promise<SendResult[]>;
  close(): Promise<void>;
}

/**
 * Idempotent, acks=all, one request in flight: while one producer lives, the broker drops a batch that a
 * retry sends twice, and a retry never overtakes the batch before it. That removes the duplicates of
 * kafkajs's own retries only. The pipeline as a whole is at least once: an input handed back (Lambda
 * retry, SQS redelivery, a replay) is produced again, and consumers upsert on `eventId`.
 */
export const PRODUCER_CONFIG: Readonly<ProducerConfig> = Object.freeze({
  idempotent: true,
  maxInFlightRequests: 1,
  // Production clusters create topics deliberately; a typo must fail, not create a new topic.
  allowAutoTopicCreation: false,
  // Murmur2 like the Java client, so keys land on the same partitions whoever produces them.
  createPartitioner: Partitioners.DefaultPartitioner,
  // Bounded, so that an abandoned producer stops retrying; the caller's deadline is the real limit.
  retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
});

/** acks=all: a record counts as sent once every in-sync replica has it. */
export const ACKS_ALL = -1;

export interface KafkajsProducerOptions extends ClientOptions {
  /** Builds the kafkajs client from its config; tests wrap the real one to watch what it is asked. */
  createKafka?: (config: KafkaConfig) => KafkaClient;
  now?: () => number;
}

interface ProducerSlot {
  producer: Producer;
  connected: Promise<void>;
}

/** The deadline of one send, shared by the adapters: `expired` resolves once it has passed. */
export type Timer = { expired: Promise<typeof TIMED_OUT>; readonly done: boolean; cancel(): void };
export const TIMED_OUT = Symbol('timed out');

export function startTimer(ms: number): Timer {
  let handle: NodeJS.Timeout | undefined;
  let done = false;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    handle = setTimeout(
      () => {
        done = true;
        resolve(TIMED_OUT);
      },
      Math.max(0, ms),
    );
  });
  return {
    expired,
    get done() {
      return done;
    },
    cancel: () => clearTimeout(handle),
  };
}

function copyHeaders(headers: NonNullable<OutgoingRecord['headers']>): IHeaders {
  const copy: IHeaders = {};
  for (const [name, value] of Object.entries(headers))
    copy[name] = Array.isArray(value) ? [...value] : (value as string | Buffer);
  return copy;
}

function toMessage(record: OutgoingRecord): Message {
  return {
    key: record.key,
    value: record.value,
    ...(record.headers === undefined ? {} : { headers: copyHeaders(record.headers) }),
    ...(record.timestamp === undefined ? {} : { timestamp: String(record.timestamp) }),
  };
}

/**
 * Bytes per produce request: below the broker's default message.max.bytes (1 MiB) with room for the
 * record batch framing, so no partition's batch is refused for its size.
 */
export const MAX_REQUEST_BYTES = 900 * 1024;
/** Per-record framing in a v2 record batch, generously rounded up: lengths, offsets, timestamps. */
const RECORD_OVERHEAD_BYTES = 64;

function recordBytes(record: OutgoingRecord): number {
  let size = RECORD_OVERHEAD_BYTES;
  const add = (value: string | Buffer | null | undefined) => {
    if (value !== null && value !== undefined)
      size += typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  };
  add(record.key);
  add(record.value);
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      add(name);
      add(item as string | Buffer);
    }
  }
  return size;
}

/**
 * Splits each topic's records into requests of at most MAX_REQUEST_BYTES. The broker refuses a
 * partition's batch above message.max.bytes (1 MiB by default) as a whole, even when every record would
 * fit alone, and a large Lambda batch (SQS allows 6 MB) easily gets there. A record that cannot fit
 * in any request is refused here, before anything is sent (its result is set in `results`). Every
 * adapter sends through this plan, so they split alike.
 */
export function planRequests(
  batch: readonly OutgoingRecord[],
  results: (SendResult | undefined)[],
): Array<[string, number[]]> {
  const requests: Array<[string, number[]]> = [];
  for (const [topic, indexes] of groupByTopic(batch)) {
    let current: number[] = [];
    let bytes = 0;
    for (const index of indexes) {
      const size = recordBytes(batch[index] as OutgoingRecord);
      if (size > MAX_REQUEST_BYTES) {
        results[index] = {
          ok: false,
          error: new PipelineError(
            'produce',
            PRODUCE_ERROR_CODES.recordRejected,
            `record of ${size} bytes exceeds the ${MAX_REQUEST_BYTES}-byte request limit; the broker would refuse it (message.max.bytes)`,
          ),
        };
        continue;
      }
      if (current.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
        requests.push([topic, current]);
        current = [];
        bytes = 0;
      }
      current.push(index);
      bytes += size;
    }
    if (current.length > 0) requests.push([topic, current]);
  }
  return requests;
}

function groupByTopic(batch: readonly OutgoingRecord[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  batch.forEach((record, index) => {
    const indexes = groups.get(record.topic);
    if (indexes === undefined) groups.set(record.topic, [index]);
    else indexes.push(index);
  });
  return groups;
}

const liveProducers = new Set<ProducerPort>();

/** Adapters add themselves while they hold a connected client, so shutdown can close every one. */
export function trackLiveProducer(producer: ProducerPort, live: boolean): void {
  if (live) liveProducers.add(producer);
  else liveProducers.delete(producer);
}

/** What a send may still spend: the timer of the whole send, its length, and the caller's deadline. */
export interface SendLimit {
  timer: Timer;
  timeoutMs: number;
  deadline: number;
}

/**
 * What both adapters share: one send at a time (so the idempotent sequence numbers stay in order), the
 * caller's deadline capped by `sendTimeoutMs`, requests planned per topic below the broker's size limit,
 * one client kept across sends and replaced after any failure (a fresh producer id, since the sequence
 * numbers may no longer match what the broker saw), a rejected record isolated from its neighbours, and
 * an answer for every record. An adapter supplies its client: how it is made, how one topic's records
 * go out through it, how its errors read, and how it is closed.
 */
export abstract class SerialProducer<Client> implements ProducerPort {
  protected readonly settings: ClientSettings;
  protected readonly now: () => number;
  #client: Client | undefined;
  #created = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(settings: ClientSettings, now: () => number = Date.now) {
    this.settings = settings;
    this.now = now;
  }

  /** A new client; it may connect lazily (its first request waits for the connection). */
  protected abstract createClient(): Client;
  /** One request with these records, all for one topic; resolves once the broker acknowledged them. */
  protected abstract request(
    client: Client,
    topic: string,
    records: OutgoingRecord[],
    limit: SendLimit,
  ): Promise<unknown>;
  /** The client's failure as a produce error (broker error codes sorted the same in both adapters). */
  protected abstract toError(thrown: unknown, topic: string): PipelineError;
  /** Closes the client, never throwing. */
  protected abstract closeClient(client: Client): Promise<void>;

  /** Lets go of a client that failed, without waiting; by default the same as closing it. */
  protected abandonClient(client: Client): void {
    void this.closeClient(client);
  }

  /** How many clients this adapter has created: 1 while healthy, more after failures. */
  get producersCreated(): number {
    return this.#created;
  }

  send(batch: readonly OutgoingRecord[], deadline: number): Promise<SendResult[]> {
    const run = this.#queue.then(() => this.#sendNow(batch, deadline));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Refuses new sends, waits for the one under way, then closes the client. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    const client = this.#client;
    this.#client = undefined;
    trackLiveProducer(this, false);
    if (client !== undefined) await this.closeClient(client);
  }

  async #sendNow(batch: readonly OutgoingRecord[], deadline: number): Promise<SendResult[]> {
    if (batch.length === 0) return [];
    if (this.#closed) {
      const error = new PipelineError('produce', 'KAFKA_PRODUCER_CLOSED', 'the producer is shutting down', {
        retriable: true,
      });
      return batch.map(() => ({ ok: false, error }));
    }
    const timeoutMs = Math.min(deadline - this.now(), this.settings.sendTimeoutMs);
    if (timeoutMs <= 0) return batch.map(() => ({ ok: false, error: deadlineExceeded(0) }));
    const results: (SendResult | undefined)[] = new Array(batch.length);
    const timer = startTimer(timeoutMs);
    try {
      for (const [topic, indexes] of planRequests(batch, results)) {
        const outcome = await this.#sendTopic(topic, indexes, batch, { timer, timeoutMs, deadline });
        for (const [index, result] of outcome) results[index] = result;
        if (
          outcome.some(
            ([, result]) => !result.ok && result.error.code === PRODUCE_ERROR_CODES.deadlineExceeded,
          )
        ) {
          break;
        }
      }
    } finally {
      timer.cancel();
    }
    // Topics after the one that ran out of time were never tried; they get the same retriable answer.
    return Array.from(
      batch,
      (_, index) => results[index] ?? { ok: false, error: deadlineExceeded(timeoutMs) },
    );
  }

  async #sendTopic(
    topic: string,
    indexes: number[],
    batch: readonly OutgoingRecord[],
    limit: SendLimit,
  ): Promise<[number, SendResult][]> {
    const { timer, timeoutMs } = limit;
    const fail = (error: PipelineError): [number, SendResult][] =>
      indexes.map((index) => [index, { ok: false, error }]);
    if (timer.done) return fail(deadlineExceeded(timeoutMs));
    let client: Client;
    try {
      client = this.#acquire();
    } catch (thrown) {
      return fail(this.toError(thrown, topic));
    }
    const sent = this.request(
      client,
      topic,
      indexes.map((index) => batch[index] as OutgoingRecord),
      limit,
    );
    // Raced against the deadline below; this keeps a late failure from going unhandled.
    sent.catch(() => undefined);
    let outcome: unknown;
    try {
      outcome = await Promise.race([sent, timer.expired]);
    } catch (thrown) {
      const error = this.toError(thrown, topic);
      // After any failure the idempotent sequence numbers no longer match what the broker saw: resending
      // on the same producer fails with OUT_OF_ORDER_SEQUENCE_NUMBER, so a fresh producer takes over.
      this.#discard(client, error);
      if (error.code === PRODUCE_ERROR_CODES.recordRejected && indexes.length > 1) {
        // One bad record fails its whole batch; send them one by one so only that record is reported.
        const isolated: [number, SendResult][] = [];
        for (const index of indexes) isolated.push(...(await this.#sendTopic(topic, [index], batch, limit)));
        return isolated;
      }
      return fail(error);
    }
    if (outcome === TIMED_OUT) {
      const error = deadlineExceeded(timeoutMs);
      this.#discard(client, error);
      return fail(error);
    }
    return indexes.map((index) => [index, { ok: true, topic }]);
  }

  #acquire(): Client {
    if (this.#client !== undefined) return this.#client;
    const client = this.createClient();
    this.#client = client;
    this.#created += 1;
    trackLiveProducer(this, true);
    return client;
  }

  /** Forgets a client that failed, so the next send reconnects from scratch. */
  #discard(client: Client, error: PipelineError): void {
    if (this.#client === client) this.#client = undefined;
    logger.warn('Kafka producer dropped after a failure; the next send reconnects', {
      code: error.code,
      retriable: error.retriable,
    });
    this.abandonClient(client);
  }
}

/**
 * The kafkajs adapter: a kafkajs producer made on the first send and kept for later sends (warm Lambda
 * invocations); everything else is SerialProducer's.
 */
export class KafkajsProducer extends SerialProducer<ProducerSlot> {
  readonly #options: KafkajsProducerOptions;
  #kafka: KafkaClient | undefined;

  constructor(settings: ClientSettings, options: KafkajsProducerOptions = {}) {
    super(settings, options.now);
    this.#options = options;
  }

  protected createClient(): ProducerSlot {
    this.#kafka ??= (this.#options.createKafka ?? ((config) => new Kafka(config)))(
      kafkaClientConfig(this.settings, this.#options),
    );
    const producer = this.#kafka.producer(PRODUCER_CONFIG);
    const slot: ProducerSlot = { producer, connected: producer.connect() };
    // The connect outcome is awaited by the first request; this only keeps a late failure from going unhandled.
    slot.connected.catch(() => undefined);
    return slot;
  }

  protected request(
    slot: ProducerSlot,
    topic: string,
    records: OutgoingRecord[],
    limit: SendLimit,
  ): Promise<unknown> {
    return slot.connected.then(() =>
      slot.producer.sendBatch({
        acks: ACKS_ALL,
        timeout: Math.max(1, limit.deadline - this.now()),
        topicMessages: [{ topic, messages: records.map(toMessage) }],
      }),
    );
  }

  protected toError(thrown: unknown, topic: string): PipelineError {
    return toProduceError(thrown, { topic });
  }

  protected async closeClient(slot: ProducerSlot): Promise<void> {
    await slot.connected.catch(() => undefined);
    await slot.producer.disconnect().catch(() => undefined);
  }

  /** A failed producer may still be connecting (a hung broker): disconnecting now stops the attempt. */
  protected override abandonClient(slot: ProducerSlot): void {
    slot.producer.disconnect().catch(() => undefined);
  }
}

/** Disconnects every producer that is still connected; used on shutdown. */
export async function closeAllProducers(): Promise<void> {
  await Promise.all([...liveProducers].map((producer) => producer.close()));
}
