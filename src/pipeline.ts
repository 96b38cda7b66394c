/**
 * The one pipeline: parse → enrich → to record → transform → serialize → produce. Every entry point (the
 * Lambda SNS and SQS handlers, CLI replay, the HTTP endpoint, the bench) hands it parsed inputs and gets
 * back one disposition per input. Nothing is lost: each input ends up produced, filtered on purpose,
 * dead-lettered, or returned as `retry`/`failed` so the caller has the source redeliver it.
 */

import type { EmailMetadata, MetadataRequest, MetadataStore } from './enrich/index.ts';
import type { MetadataStatus } from './enrich/metadata.ts';
import { describeError, PipelineError } from './errors.ts';
import { buildDeadLetter, deadLetterAction } from './kafka/dlq.ts';
import { addEventHeaders, EVENT_HEADERS } from './kafka/headers.ts';
import type { OutgoingRecord, ProducerPort } from './kafka/producer.ts';
import type { BatchOutcomeCounts, PipelineMetrics } from './observability/metrics.ts';
import { type KafkaHeader, type KafkaRecord, toKafkaJsHeaders } from './record.ts';
import type { BoundEncoder, Serializer } from './serde/types.ts';
import type { BaseSchemaVersion } from './ses/base-schema.ts';
import {
  type ParseOutcome,
  recordSource,
  SERVICE_EVENT_CODE,
  type ServiceEvent,
  type SesEvent,
  toEnrichedValue,
} from './ses/index.ts';
import type { TransformChain } from './transforms/index.ts';

/** One input as the entry point received it. `id` is what the caller reports back (e.g. SQS messageId). */
export interface PipelineInput {
  id: string;
  parsed: ParseOutcome;
}

export type Disposition =
  /** For an SES service event sent to its own topic, eventId is the EventBridge id, eventType the detail-type. */
  | { kind: 'produced'; eventId: string; eventType: string; topic: string }
  /**
   * Dropped on purpose: a Filter transform, an SNS/SES control message that carries no email event, or an
   * SES service event with no service-events topic configured.
   */
  | { kind: 'filtered'; eventId?: string; reason: string }
  | { kind: 'dead-lettered'; topic: string; error: PipelineError }
  /** Retriable: the caller must have the source redeliver this input. */
  | { kind: 'retry'; error: PipelineError }
  /** Not retriable and not the input's fault (config, credentials): fail loudly, keep the input. */
  | { kind: 'failed'; error: PipelineError };

export interface PipelineResult {
  id: string;
  disposition: Disposition;
}

export interface PipelineDeps {
  metadata: MetadataStore;
  chain: TransformChain;
  serializer: Serializer;
  producer: ProducerPort;
  /** Where events go before any routing transform. */
  topic: string;
  /** Where inputs that can never succeed go, when the transform chain names no DLQ of its own. */
  dlqTopic: string;
  /** Where SES service events go as JSON (SES_KAFKA_SERVICE_EVENTS_TOPIC); unset filters them. */
  serviceEventsTopic?: string;
  schemaVersion: BaseSchemaVersion;
  producerVersion: string;
  metrics?: PipelineMetrics;
  now?: () => number;
}

const PREPARED = Symbol('prepared work');

/** A batch that went through every stage but Kafka (`Pipeline.prepare`); only `Pipeline.send` opens it. */
export interface PreparedBatch {
  readonly [PREPARED]: Array<Ready | Done>;
  /** How many inputs it holds. */
  readonly size: number;
}

/** One input of a prepared batch: ready for Kafka (its event or its dead letter), or already settled. */
export type PreparedSlot = Ready | Done;

/**
 * The slots of a prepared batch, in input order, so that a batch prepared on a worker thread can be
 * carried to the thread that sends it (src/replay/prepared-transfer.ts); `preparedBatchOf` seals them
 * again on the other side.
 */
export function preparedSlots(batch: PreparedBatch): readonly PreparedSlot[] {
  return batch[PREPARED];
}

export function preparedBatchOf(slots: PreparedSlot[]): PreparedBatch {
  return { [PREPARED]: slots, size: slots.length };
}

/**
 * Where one input stands. Each stage takes the inputs in the stage before it and hands each on as the
 * next, so every field a stage needs is there by type: no optional fields filled in along the way.
 */
export interface StageBase {
  id: string;
  parsed: ParseOutcome;
  /** Kept once known, for the metrics of the batch. */
  metadata?: EmailMetadata;
}

/** Parsed into an SES email event; next: enrichment. */
interface Parsed extends StageBase {
  stage: 'parsed';
  event: SesEvent;
}

/** Metadata looked up; next: the record, and the transform chain. */
interface Enriched extends StageBase {
  stage: 'enriched';
  event: SesEvent;
  metadata: EmailMetadata;
}

/** The record after the transform chain; next: Avro. */
interface Transformed extends StageBase {
  stage: 'transformed';
  event: SesEvent;
  record: KafkaRecord;
}

/** Bytes ready for Kafka, and what the input becomes once Kafka acknowledges them. */
export interface Ready extends StageBase {
  stage: 'ready';
  outgoing: OutgoingRecord;
  onDelivered: Disposition;
  /** Set when the outgoing record is this input's dead letter rather than its event. */
  deadLetterOf?: PipelineError;
  /** The messageId, so a dead letter keeps the email's partition. */
  key: string | null;
}

export interface Done extends StageBase {
  stage: 'done';
  disposition: Disposition;
}

type Slot = Parsed | Enriched | Transformed | Ready | Done;

const EVENT_ID_HEADER = 'ses.eventId';
/** On service-event records: the EventBridge detail-type, e.g. `Sending Status Disabled`. */
const DETAIL_TYPE_HEADER = 'ses.detailType';

function asPipelineError(error: unknown, stage: PipelineError['stage'], code: string): PipelineError {
  if (error instanceof PipelineError) return error;
  return new PipelineError(stage, code, describeError(error), { cause: error });
}

/** Kafka keys are bytes: strings and buffers go as they are, anything a transform built goes as JSON. */
function keyBytes(key: unknown): string | Buffer | null {
  if (key === null || key === undefined) return null;
  if (typeof key === 'string' || Buffer.isBuffer(key)) return key;
  return JSON.stringify(key);
}

export class Pipeline {
  readonly #deps: PipelineDeps;
  readonly #now: () => number;

  constructor(deps: PipelineDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  get outputValueSchema() {
    return this.#deps.chain.outputValueSchema;
  }

  /**
   * Runs a batch through every stage. Never throws for bad input or a failing dependency; the result has
   * one entry per input, in input order.
   * @param deadline epoch millis by which Kafka must have acknowledged; later sends come back `retry`.
   */
  async process(inputs: readonly PipelineInput[], deadline: number): Promise<PipelineResult[]> {
    return this.send(await this.prepare(inputs), deadline);
  }

  /**
   * Every stage but Kafka: parse, enrich, to record, transform and serialize. With `send` it is `process`
   * in two steps, so a caller (replay) can prepare the next batch while the previous one is in flight,
   * and still hand batches to Kafka in input order.
   */
  async prepare(inputs: readonly PipelineInput[]): Promise<PreparedBatch> {
    const ready = await this.#serialize(await this.#prepare(inputs));
    return { [PREPARED]: ready, size: inputs.length };
  }

  /**
   * Sends a prepared batch and returns one result per input, in input order. Never throws.
   * @param deadline epoch millis by which Kafka must have acknowledged; later sends come back `retry`.
   */
  async send(prepared: PreparedBatch, deadline: number): Promise<PipelineResult[]> {
    const { slots, latencyMs } = await this.#produce(prepared[PREPARED], deadline);
    const results = slots.map((slot) => ({
      id: slot.id,
      disposition:
        slot.stage === 'done'
          ? slot.disposition
          : // Every stage settles what it cannot pass on; this guards the guarantee, it should never show.
            ({
              kind: 'failed',
              error: new PipelineError(
                'produce',
                'PIPELINE_NO_OUTCOME',
                'input left the pipeline without an outcome',
              ),
            } as const),
    }));
    this.#deps.metrics?.record({
      batchSize: slots.length,
      outcomes: countOutcomes(results),
      metadataStatuses: countStatuses(slots),
      ...(latencyMs === undefined ? {} : { produceLatencyMs: latencyMs }),
    });
    return results;
  }

  /**
   * Runs parse, enrich, to-record and transform without serializing or producing: what `replay --dry-run`
   * shows. `record` is set for inputs that would be produced; the others carry their disposition so far
   * (a dead letter is reported as `dead-lettered` although nothing was sent).
   */
  async preview(
    inputs: readonly PipelineInput[],
  ): Promise<Array<{ id: string; record?: KafkaRecord; disposition?: Disposition }>> {
    const slots = await this.#prepare(inputs);
    return slots.map((slot) => {
      switch (slot.stage) {
        case 'done':
          return { id: slot.id, disposition: slot.disposition };
        case 'ready':
          return slot.deadLetterOf
            ? {
                id: slot.id,
                disposition: { kind: 'dead-lettered', topic: slot.outgoing.topic, error: slot.deadLetterOf },
              }
            : { id: slot.id };
        default:
          return { id: slot.id, record: slot.record };
      }
    });
  }

  async #prepare(inputs: readonly PipelineInput[]): Promise<Array<Transformed | Ready | Done>> {
    const parsed = inputs.map((input) => this.#triageParsed(input));
    const enriched = await this.#enrich(parsed);
    const processedAt = new Date(this.#now());
    return enriched.map((slot) =>
      slot.stage === 'enriched' ? this.#transform(this.#toRecord(slot, processedAt)) : slot,
    );
  }

  /**
   * An input that cannot go on: retried, failed, or made into its dead letter (the original payload, so
   * a replay can redo it), by what the error says about the input.
   */
  #settle(
    slot: StageBase & { event?: SesEvent; key?: string | null },
    error: PipelineError,
    topicForDeadLetter?: string,
    extraHeaders?: KafkaHeader[],
  ): Ready | Done {
    const base = { id: slot.id, parsed: slot.parsed, ...(slot.metadata ? { metadata: slot.metadata } : {}) };
    const { action } = deadLetterAction(error);
    if (action === 'retry') return { ...base, stage: 'done', disposition: { kind: 'retry', error } };
    if (action === 'fail') return { ...base, stage: 'done', disposition: { kind: 'failed', error } };
    const key = slot.key ?? slot.event?.mail.messageId ?? null;
    const deadLetter = buildDeadLetter({
      originalPayload: slot.parsed.raw,
      error,
      originalTopic: this.#deps.topic,
      dlqTopic: topicForDeadLetter ?? this.#deps.dlqTopic,
      key,
      now: new Date(this.#now()),
    });
    if (extraHeaders && extraHeaders.length > 0) {
      deadLetter.headers = { ...toKafkaJsHeaders(extraHeaders), ...deadLetter.headers };
    }
    return {
      ...base,
      stage: 'ready',
      outgoing: deadLetter,
      onDelivered: { kind: 'dead-lettered', topic: deadLetter.topic, error },
      deadLetterOf: error,
      key,
    };
  }

  #triageParsed(input: PipelineInput): Parsed | Ready | Done {
    const parsed = input.parsed;
    const base = { id: input.id, parsed };
    if (parsed.ok) return { ...base, stage: 'parsed', event: parsed.event };
    if (parsed.error.code === 'SES_CONTROL_MESSAGE') {
      return { ...base, stage: 'done', disposition: { kind: 'filtered', reason: parsed.error.message } };
    }
    if (parsed.error.code === SERVICE_EVENT_CODE)
      return this.#routeServiceEvent(base, parsed.serviceEvent, parsed.error.message);
    return this.#settle(base, parsed.error);
  }

  /**
   * An SES service event skips enrichment, transforms and Avro: it is not an email event and has no
   * schema of ours, so it goes as the EventBridge JSON to the service-events topic, or is filtered.
   */
  #routeServiceEvent(base: StageBase, serviceEvent: ServiceEvent | undefined, reason: string): Ready | Done {
    const topic = this.#deps.serviceEventsTopic;
    if (topic === undefined || serviceEvent === undefined) {
      return { ...base, stage: 'done', disposition: { kind: 'filtered', reason } };
    }
    const headers: KafkaHeader[] = [{ key: DETAIL_TYPE_HEADER, value: serviceEvent.detailType }];
    return {
      ...base,
      stage: 'ready',
      outgoing: {
        topic,
        key: serviceEvent.key,
        value: Buffer.from(serviceEvent.json),
        headers: toKafkaJsHeaders(headers),
        timestamp: this.#now(),
      },
      onDelivered: {
        kind: 'produced',
        eventId: serviceEvent.id ?? '',
        eventType: serviceEvent.detailType,
        topic,
      },
      key: serviceEvent.key,
    };
  }

  async #enrich(slots: Array<Parsed | Ready | Done>): Promise<Array<Enriched | Ready | Done>> {
    const pending = slots.filter((slot): slot is Parsed => slot.stage === 'parsed');
    const requests: MetadataRequest[] = pending.map((slot, index) => ({
      requestId: String(index),
      messageId: slot.event.mail.messageId,
      sourceAddress: slot.event.mail.sourceAddress ?? undefined,
      timestamp: new Date(slot.event.mail.timestamp),
    }));
    let results: Map<string, EmailMetadata | PipelineError> | undefined;
    let storeFailure: PipelineError | undefined;
    try {
      if (requests.length > 0) results = await this.#deps.metadata.lookupMany(requests);
    } catch (thrown) {
      // A store that throws has broken its contract; nothing says the data is at fault, so keep the inputs.
      storeFailure = new PipelineError('enrich', 'METADATA_STORE_FAILED', describeError(thrown), {
        retriable: true,
        cause: thrown,
      });
    }
    let pendingIndex = 0;
    return slots.map((slot): Enriched | Ready | Done => {
      if (slot.stage !== 'parsed') return slot;
      // Requests were numbered in the order of the pending slots, which this walk repeats.
      const result = results?.get(String(pendingIndex++));
      if (result === undefined) {
        const error =
          storeFailure ??
          new PipelineError('enrich', 'METADATA_MISSING_RESULT', 'the metadata store gave no answer', {
            retriable: true,
          });
        return { id: slot.id, parsed: slot.parsed, stage: 'done', disposition: { kind: 'retry', error } };
      }
      if (result instanceof PipelineError) return this.#settle(slot, result);
      return { id: slot.id, parsed: slot.parsed, stage: 'enriched', event: slot.event, metadata: result };
    });
  }

  #toRecord(slot: Enriched, processedAt: Date): Transformed | Ready | Done {
    try {
      const source = recordSource(slot.parsed.envelope ?? {}, {
        processedAt,
        producerVersion: this.#deps.producerVersion,
      });
      const value = toEnrichedValue(slot.event, slot.metadata, source, {
        schemaVersion: this.#deps.schemaVersion,
      });
      const record: KafkaRecord = {
        topic: this.#deps.topic,
        key: slot.event.mail.messageId,
        value,
        headers: [],
        // Processing time, not the SES event time (that is `eventTime` in the value): topics delete by
        // record timestamp, so a backfill of month-old events stamped with their own time would be
        // removed by retention right after it was written.
        timestamp: processedAt.getTime(),
      };
      return {
        id: slot.id,
        parsed: slot.parsed,
        metadata: slot.metadata,
        stage: 'transformed',
        event: slot.event,
        record,
      };
    } catch (thrown) {
      return this.#settle(slot, asPipelineError(thrown, 'to-record', 'RECORD_BUILD_FAILED'));
    }
  }

  /** Takes the record the pipeline built through the chain (the slot is `transformed` before and after). */
  #transform(slot: Transformed | Ready | Done): Transformed | Ready | Done {
    if (slot.stage !== 'transformed') return slot;
    const outcome = this.#deps.chain.apply(slot.record);
    switch (outcome.kind) {
      case 'ok':
        slot.record = outcome.record;
        return slot;
      case 'filtered':
        // Connect would drop a failure tolerated without a DLQ topic; we never drop an event silently,
        // so it goes to the pipeline's own DLQ (SES_KAFKA_DLQ_TOPIC) instead.
        if (outcome.error) return this.#settle(slot, outcome.error);
        return {
          ...slot,
          stage: 'done',
          disposition: { kind: 'filtered', eventId: slot.event.eventId, reason: 'dropped by a transform' },
        };
      case 'dead-letter':
        // The chain's DLQ topic and context headers, but the original payload, so a replay can redo it.
        return this.#settle(slot, outcome.error, outcome.record.topic, outcome.record.headers);
      case 'failed':
        // errors.tolerance=none: like a Connect task, stop on the error instead of skipping the input.
        return { ...slot, stage: 'done', disposition: { kind: 'failed', error: outcome.error } };
    }
  }

  async #serialize(slots: Array<Transformed | Ready | Done>): Promise<Array<Ready | Done>> {
    const encoders = await this.#encodersByTopic(slots);
    return slots.map((slot): Ready | Done => {
      if (slot.stage !== 'transformed') return slot;
      const record = slot.record;
      const encoder = encoders.get(record.topic) as BoundEncoder | PipelineError;
      if (encoder instanceof PipelineError) return this.#settle(slot, encoder);
      try {
        const bytes = encoder.encode(record.value);
        // The header repeats the id the value publishes, never the parsed one: with pseudonymised
        // recipients the parsed (unkeyed) id would let a reader confirm a guessed address.
        const published = (record.value as { eventId?: unknown } | null)?.eventId;
        const publishedEventId = typeof published === 'string' ? published : undefined;
        const { id: schemaId, version: schemaVersion } = encoder.schemaRef;
        const headers = addEventHeaders(toKafkaJsHeaders(record.headers), {
          eventType: slot.event.eventType,
          schemaId,
          ...(schemaVersion === undefined ? {} : { schemaVersion }),
        });
        if (publishedEventId !== undefined) headers[EVENT_ID_HEADER] = publishedEventId;
        return {
          id: slot.id,
          parsed: slot.parsed,
          metadata: slot.metadata,
          stage: 'ready',
          outgoing: {
            topic: record.topic,
            key: keyBytes(record.key),
            value: bytes,
            headers,
            timestamp: record.timestamp,
          },
          onDelivered: {
            kind: 'produced',
            eventId: publishedEventId ?? '',
            eventType: slot.event.eventType,
            topic: record.topic,
          },
          key: slot.event.mail.messageId,
        };
      } catch (thrown) {
        return this.#settle(slot, asPipelineError(thrown, 'serialize', 'SERIALIZE_FAILED'));
      }
    });
  }

  /**
   * One encoder per topic the batch writes to (routing transforms can name several): the schema's
   * registry entry is looked up once per batch and topic, and each record then encodes synchronously.
   * A topic whose lookup fails maps to the error, which settles each of its records.
   */
  async #encodersByTopic(
    slots: ReadonlyArray<Transformed | Ready | Done>,
  ): Promise<Map<string, BoundEncoder | PipelineError>> {
    const schema = this.#deps.chain.outputValueSchema;
    const topics = new Set<string>();
    for (const slot of slots) if (slot.stage === 'transformed') topics.add(slot.record.topic);
    const settled = await Promise.allSettled(
      [...topics].map((topic) => this.#deps.serializer.encoderFor(schema, { topic })),
    );
    const encoders = new Map<string, BoundEncoder | PipelineError>();
    [...topics].forEach((topic, index) => {
      const outcome = settled[index] as PromiseSettledResult<BoundEncoder>;
      encoders.set(
        topic,
        outcome.status === 'fulfilled'
          ? outcome.value
          : asPipelineError(outcome.reason, 'serialize', 'SERIALIZE_FAILED'),
      );
    });
    return encoders;
  }

  /** Sends what is ready; returns every input done, and the time spent waiting on Kafka (if anything was sent). */
  async #produce(
    slots: Array<Ready | Done>,
    deadline: number,
  ): Promise<{ slots: Done[]; latencyMs: number | undefined }> {
    let latencyMs: number | undefined;
    let current: Array<Ready | Done> = slots;
    // At most two rounds: events first, then dead letters for records the broker rejected outright.
    for (let round = 0; round < 2; round++) {
      const sending = current.filter((slot): slot is Ready => slot.stage === 'ready');
      if (sending.length === 0) break;
      const sendStarted = this.#now();
      const results = await this.#deps.producer.send(
        sending.map((slot) => slot.outgoing),
        deadline,
      );
      latencyMs = (latencyMs ?? 0) + (this.#now() - sendStarted);
      let sent = 0;
      current = current.map((slot): Ready | Done => {
        if (slot.stage !== 'ready') return slot;
        // Results come back in the order of `sending`, which this walk repeats.
        const result = results[sent++];
        const base = { id: slot.id, parsed: slot.parsed, metadata: slot.metadata };
        if (result?.ok) return { ...base, stage: 'done', disposition: slot.onDelivered };
        const error = result?.error ?? new PipelineError('produce', 'KAFKA_NO_RESULT', 'no send result');
        if (slot.deadLetterOf || round === 1) {
          // A dead letter that did not land, or a second failure: hand the input back rather than lose it.
          return {
            ...base,
            stage: 'done',
            disposition: error.retriable ? { kind: 'retry', error } : { kind: 'failed', error },
          };
        }
        // A record the broker refused outright becomes its dead letter, sent in the next round.
        return this.#settle({ ...base, key: slot.key }, error);
      });
    }
    return { slots: current.filter((slot): slot is Done => slot.stage === 'done'), latencyMs };
  }
}

function countOutcomes(results: readonly PipelineResult[]): BatchOutcomeCounts {
  const counts: BatchOutcomeCounts = {
    producedByType: new Map(),
    filtered: 0,
    deadLettered: 0,
    retry: 0,
    failed: 0,
  };
  for (const { disposition } of results) {
    switch (disposition.kind) {
      case 'produced':
        counts.producedByType.set(
          disposition.eventType,
          (counts.producedByType.get(disposition.eventType) ?? 0) + 1,
        );
        break;
      case 'filtered':
        counts.filtered++;
        break;
      case 'dead-lettered':
        counts.deadLettered++;
        break;
      case 'retry':
        counts.retry++;
        break;
      case 'failed':
        counts.failed++;
        break;
    }
  }
  return counts;
}

function countStatuses(slots: readonly Slot[]): Map<MetadataStatus, number> {
  const counts = new Map<MetadataStatus, number>();
  for (const slot of slots) {
    if (slot.metadata) counts.set(slot.metadata.status, (counts.get(slot.metadata.status) ?? 0) + 1);
  }
  return counts;
}

/** Inputs the caller must have redelivered: retriable failures, and failures nobody can fix by waiting. */
export function needsRedelivery(result: PipelineResult): boolean {
  return result.disposition.kind === 'retry' || result.disposition.kind === 'failed';
}

export { EVENT_HEADERS, EVENT_ID_HEADER };
