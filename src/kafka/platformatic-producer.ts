/**
 * The second producer adapter, on @platformatic/kafka (SES_KAFKA_CLIENT=platformatic): a maintained,
 * pure-JavaScript client, where kafkajs has had no release since 2023. It keeps the port's contract
 * exactly as the kafkajs adapter does (src/kafka/producer.ts): idempotent, acks=all, one request in
 * flight, keys partitioned like the Java client (murmur2, positive), topics never created, the same
 * request splitting, the caller's deadline, a fresh producer after any failure, a rejected record
 * pinned on itself, and the same error codes.
 *
 * Auth: SASL/PLAIN, SCRAM-SHA-256/512 and OAUTHBEARER (MSK IAM tokens from the same signer and cache),
 * with re-authentication before the broker's session lifetime ends; TLS with the system CAs or a
 * private CA bundle. The 1.x line is used because 2.x requires Node 22.
 */
import {
  compatibilityPartitioner,
  type MessageToProduce,
  type ProduceResult,
  Producer,
  type ProducerOptions,
  type SASLOptions,
} from '@platformatic/kafka';
import { PipelineError } from '../errors.ts';
import type { ClientSettings } from './client.ts';
import { classifyBrokerError, PRODUCE_ERROR_CODES, produceError, toProduceError } from './errors.ts';
import { mskIamTokenCache } from './msk-iam.ts';
import { type OutgoingRecord, SerialProducer } from './producer.ts';

type Bytes = Buffer;
type Message = MessageToProduce<Bytes, Bytes, Bytes, Bytes>;
type Options = ProducerOptions<Bytes, Bytes, Bytes, Bytes>;
type PlatformaticProducerClient = Producer<Bytes, Bytes, Bytes, Bytes>;

export interface PlatformaticProducerOptions {
  /** Builds the client from its options; tests wrap the real one to watch what it is asked. */
  createProducer?: (options: Options) => PlatformaticProducerClient;
  now?: () => number;
}

/**
 * The Java client's partitioner for keyed records (murmur2 made positive, the client's
 * `compatibilityPartitioner`; its default one differs and would move keys to other partitions than
 * kafkajs and Java producers use). Records without a key go round robin, not all to partition 0.
 */
function javaCompatiblePartitioner(): NonNullable<Options['partitioner']> {
  let roundRobin = 0;
  return (message, key) => {
    if (key === undefined || key === null) return roundRobin++ & 0x7fffffff;
    return compatibilityPartitioner(message, key);
  };
}

function saslOptions(auth: ClientSettings['auth']): SASLOptions | undefined {
  switch (auth.mode) {
    case 'none':
      return undefined;
    case 'msk-iam': {
      const tokens = mskIamTokenCache({ region: auth.region });
      return { mechanism: 'OAUTHBEARER', token: async () => (await tokens.token()).value };
    }
    case 'oauthbearer':
      return { mechanism: 'OAUTHBEARER', token: async () => (await auth.tokens.token()).value };
    case 'scram-sha-512':
      return { mechanism: 'SCRAM-SHA-512', username: auth.username, password: () => auth.password.reveal() };
    case 'scram-sha-256':
      return { mechanism: 'SCRAM-SHA-256', username: auth.username, password: () => auth.password.reveal() };
    case 'plain':
      return { mechanism: 'PLAIN', username: auth.username, password: () => auth.password.reveal() };
  }
}

/** The @platformatic/kafka producer options for our settings. */
export function platformaticProducerOptions(settings: ClientSettings): Options {
  const sasl = saslOptions(settings.auth);
  const tls = settings.tls.enabled
    ? { ...(settings.tls.ca === undefined ? {} : { ca: [settings.tls.ca] }) }
    : undefined;
  return {
    clientId: settings.clientId,
    bootstrapBrokers: settings.brokers,
    idempotent: true,
    acks: -1,
    // Bounded, so an abandoned producer stops retrying; the caller's deadline is the real limit. (With
    // idempotence on and no number given, the client would retry forever.)
    retries: 5,
    retryDelay: 100,
    timeout: settings.sendTimeoutMs,
    connectTimeout: settings.connectionTimeoutMs,
    requestTimeout: settings.sendTimeoutMs,
    // Production clusters create topics deliberately; a typo must fail, not create a new topic.
    autocreateTopics: false,
    partitioner: javaCompatiblePartitioner(),
    ...(sasl === undefined ? {} : { sasl }),
    // SNI with the broker's host name, as MSK's certificates expect.
    ...(tls === undefined ? {} : { tls, tlsServerName: true }),
  };
}

/** Closes a client that may be stuck on a dead broker, forcing out any stream; its errors are moot. */
async function closeQuietly(producer: PlatformaticProducerClient): Promise<void> {
  try {
    await producer.close(true);
  } catch {
    // Dropped anyway.
  }
}

function toBytes(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}

function toMessage(record: OutgoingRecord): Message {
  const headers = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    // Distinct Buffer keys, so a header given several values is written several times, as kafkajs does.
    for (const item of Array.isArray(value) ? value : [value]) {
      headers.set(Buffer.from(name), toBytes(item as string | Buffer));
    }
  }
  const message: Message = {
    topic: record.topic,
    value: record.value === null ? (null as unknown as Buffer) : toBytes(record.value),
    headers,
  };
  if (record.key !== null) message.key = toBytes(record.key);
  if (record.timestamp !== undefined) message.timestamp = BigInt(record.timestamp);
  return message;
}

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  apiId?: string;
  canRetry?: boolean;
  errors?: unknown[];
  cause?: unknown;
}

/** The broker errors (with their protocol names) anywhere in a @platformatic/kafka error. */
function brokerErrors(error: unknown, found: ErrorLike[] = [], depth = 0): ErrorLike[] {
  if (depth > 6 || error === null || typeof error !== 'object') return found;
  const candidate = error as ErrorLike;
  if (typeof candidate.apiId === 'string' && candidate.apiId !== 'NONE') found.push(candidate);
  for (const inner of candidate.errors ?? []) brokerErrors(inner, found, depth + 1);
  if (candidate.cause !== undefined) brokerErrors(candidate.cause, found, depth + 1);
  return found;
}

function firstCode(error: unknown, codes: ReadonlySet<string>, depth = 0): boolean {
  if (depth > 6 || error === null || typeof error !== 'object') return false;
  const candidate = error as ErrorLike;
  if (candidate.code !== undefined && codes.has(candidate.code)) return true;
  return (
    (candidate.errors ?? []).some((inner) => firstCode(inner, codes, depth + 1)) ||
    (candidate.cause !== undefined && firstCode(candidate.cause, codes, depth + 1))
  );
}

const NETWORK_CODES = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT']);
const AUTHENTICATION_CODES = new Set(['PLT_KFK_AUTHENTICATION']);

/** The deepest message, which says what actually happened rather than "Producing messages failed." */
function innermostMessage(error: unknown, depth = 0): string {
  const candidate = error as ErrorLike;
  if (depth > 6 || candidate === null || typeof candidate !== 'object') return String(error);
  const inner = candidate.errors?.[0] ?? candidate.cause;
  if (inner !== undefined && inner !== null && typeof inner === 'object') {
    return innermostMessage(inner, depth + 1);
  }
  return candidate.message ?? String(error);
}

/** Sorts a @platformatic/kafka failure into the same PipelineError codes as the kafkajs adapter. */
export function toPlatformaticProduceError(error: unknown, context: { topic?: string } = {}): PipelineError {
  if (error instanceof PipelineError) return error;
  const broker = brokerErrors(error);
  const ids = broker.map((found) => found.apiId as string);
  const classified = ids.map(classifyBrokerError).find((found) => found !== undefined);
  const detail = innermostMessage(error);
  const label = ids[0] ?? (error as ErrorLike)?.code ?? (error as ErrorLike)?.name ?? 'Error';
  const failure = { label, detail, cause: error };
  if (classified !== undefined) return produceError(classified, failure, context);
  // The client turns the broker's UNKNOWN_TOPIC_OR_PARTITION from a metadata request into a UserError
  // without the code, so its message is all there is to go on.
  if (
    (error as ErrorLike)?.code === 'PLT_KFK_USER' &&
    /^Unknown topic /.test((error as ErrorLike).message ?? '')
  ) {
    return produceError({ code: PRODUCE_ERROR_CODES.topicNotFound, retriable: false }, failure, context);
  }
  if (firstCode(error, AUTHENTICATION_CODES)) {
    return produceError(
      { code: PRODUCE_ERROR_CODES.authenticationFailed, retriable: false },
      failure,
      context,
    );
  }
  // Unreachable or timed out: worth another attempt. A broker error is, if the protocol says so (a
  // leader moving is; an unsupported version is not).
  const retriable =
    firstCode(error, NETWORK_CODES) ||
    (broker.length > 0 && broker.every((found) => found.canRetry === true));
  if (retriable || broker.length > 0) {
    return produceError(
      { code: retriable ? PRODUCE_ERROR_CODES.unavailable : PRODUCE_ERROR_CODES.other, retriable },
      failure,
      context,
    );
  }
  return toProduceError(error, context);
}

/**
 * The @platformatic/kafka adapter: a @platformatic/kafka producer made on the first send and kept for
 * later sends; everything else (one send at a time, replacement after a failure) is SerialProducer's.
 */
export class PlatformaticProducer extends SerialProducer<PlatformaticProducerClient> {
  readonly #options: PlatformaticProducerOptions;

  constructor(settings: ClientSettings, options: PlatformaticProducerOptions = {}) {
    super(settings, options.now);
    this.#options = options;
  }

  protected createClient(): PlatformaticProducerClient {
    const options = platformaticProducerOptions(this.settings);
    return (this.#options.createProducer ?? ((given) => new Producer(given)))(options);
  }

  protected request(
    producer: PlatformaticProducerClient,
    _topic: string,
    records: OutgoingRecord[],
  ): Promise<ProduceResult> {
    // Each message names its topic; acks and idempotence come from the producer's options.
    return producer.send({ messages: records.map(toMessage) });
  }

  protected toError(thrown: unknown, topic: string): PipelineError {
    return toPlatformaticProduceError(thrown, { topic });
  }

  protected closeClient(producer: PlatformaticProducerClient): Promise<void> {
    return closeQuietly(producer);
  }
}
