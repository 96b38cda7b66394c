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
import { EVENT_HEADERS, eventHeaders } from './kafka/headers.ts';
import type { OutgoingRecord, ProducerPort } from './kafka/producer.ts';
import type { BatchOutcomeCounts, PipelineMetrics } from './observability/metrics.ts';
import { type KafkaHeader, type KafkaRecord, toKafkaJsHeaders } from './record.ts';
import type { Serializer } from './serde/types.ts';
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

/** The state of one input as it moves through the stages; `done` once it has a disposition. */
interface Work {
  id: string;
  event?: SesEvent;
  parsed: ParseOutcome;
  metadata?: EmailMetadata;
  record?: KafkaRecord;
  outgoing?: OutgoingRecord;
  /** Set when this input's outgoing record is a dead letter rather than the event itself. */
  deadLetterOf?: PipelineError;
  /** The eventId as the record publishes it (HashField re-keys it); absent if the chain removed it. */
  publishedEventId?: string;
  /** Set when this input is an SES service event bound for the service-events topic. */
  serviceEvent?: ServiceEvent;
  done?: Disposition;
}

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

function headerMap(headers: readonly KafkaHeader[], extra: Record<string, string>) {
  return { ...toKafkaJsHeaders(headers), ...extra };
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
    const work = await this.#prepare(inputs);
    await this.#serialize(work);
    const produceLatencyMs = await this.#produce(work, deadline);
    const results = work.map((item) => ({
      id: item.id,
      disposition:
        item.done ??
        // Every stage settles what it cannot pass on; this guards the guarantee, it should never show.
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
      batchSize: inputs.length,
      outcomes: countOutcomes(results),
      metadataStatuses: countStatuses(work),
      ...(produceLatencyMs === undefined ? {} : { produceLatencyMs }),
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
    const work = await this.#prepare(inputs);
    return work.map((item) => {
      if (item.done) return { id: item.id, disposition: item.done };
      if (item.deadLetterOf) {
        return {
          id: item.id,
          disposition: {
            kind: 'dead-lettered',
            topic: item.outgoing?.topic ?? this.#deps.dlqTopic,
            error: item.deadLetterOf,
          },
        };
      }
      return { id: item.id, ...(item.record ? { record: item.record } : {}) };
    });
  }

  async #prepare(inputs: readonly PipelineInput[]): Promise<Work[]> {
    const work = inputs.map((input): Work => ({ id: input.id, parsed: input.parsed }));
    this.#triageParsed(work);
    await this.#enrich(work);
    this.#toRecords(work);
    this.#transform(work);
    return work;
  }

  #settle(item: Work, error: PipelineError, topicForDeadLetter?: string, extraHeaders?: KafkaHeader[]): void {
    const { action } = deadLetterAction(error);
    if (action === 'retry') {
      item.done = { kind: 'retry', error };
      return;
    }
    if (action === 'fail') {
      item.done = { kind: 'failed', error };
      return;
    }
    const dlqTopic = topicForDeadLetter ?? this.#deps.dlqTopic;
    const deadLetter = buildDeadLetter({
      originalPayload: item.parsed.raw,
      error,
      originalTopic: this.#deps.topic,
      dlqTopic,
      key: item.event?.mail.messageId ?? null,
      now: new Date(this.#now()),
    });
    if (extraHeaders && extraHeaders.length > 0) {
      deadLetter.headers = { ...toKafkaJsHeaders(extraHeaders), ...deadLetter.headers };
    }
    item.outgoing = deadLetter;
    item.deadLetterOf = error;
  }

  /** Inputs still to go through enrich, to-record, transform and serialize. */
  #pending(work: Work[]): Work[] {
    return work.filter((item) => item.done === undefined && item.outgoing === undefined);
  }

  #triageParsed(work: Work[]): void {
    for (const item of work) {
      const parsed = item.parsed;
      if (parsed.ok) {
        item.event = parsed.event;
        continue;
      }
      if (parsed.error.code === 'SES_CONTROL_MESSAGE') {
        item.done = { kind: 'filtered', reason: parsed.error.message };
        continue;
      }
      if (parsed.error.code === SERVICE_EVENT_CODE) {
        this.#routeServiceEvent(item, parsed.serviceEvent, parsed.error.message);
        continue;
      }
      this.#settle(item, parsed.error);
    }
  }

  /**
   * An SES service event skips enrichment, transforms and Avro: it is not an email event and has no
   * schema of ours, so it goes as the EventBridge JSON to the service-events topic, or is filtered.
   */
  #routeServiceEvent(item: Work, serviceEvent: ServiceEvent | undefined, reason: string): void {
    const topic = this.#deps.serviceEventsTopic;
    if (topic === undefined || serviceEvent === undefined) {
      item.done = { kind: 'filtered', reason };
      return;
    }
    const timestamp = this.#now();
    const headers: KafkaHeader[] = [{ key: DETAIL_TYPE_HEADER, value: serviceEvent.detailType }];
    item.serviceEvent = serviceEvent;
    item.record = { topic, key: serviceEvent.key, value: serviceEvent.event, headers, timestamp };
    item.outgoing = {
      topic,
      key: serviceEvent.key,
      value: Buffer.from(serviceEvent.json),
      headers: toKafkaJsHeaders(headers),
      timestamp,
    };
  }

  async #enrich(work: Work[]): Promise<void> {
    const pending = this.#pending(work);
    if (pending.length === 0) return;
    const requests: MetadataRequest[] = pending.map((item, index) => {
      const mail = (item.event as SesEvent).mail;
      return {
        requestId: String(index),
        messageId: mail.messageId,
        sourceAddress: mail.sourceAddress ?? undefined,
        timestamp: new Date(mail.timestamp),
      };
    });
    let results: Map<string, EmailMetadata | PipelineError>;
    try {
      results = await this.#deps.metadata.lookupMany(requests);
    } catch (thrown) {
      // A store that throws has broken its contract; nothing says the data is at fault, so keep the inputs.
      const error = new PipelineError('enrich', 'METADATA_STORE_FAILED', describeError(thrown), {
        retriable: true,
        cause: thrown,
      });
      for (const item of pending) item.done = { kind: 'retry', error };
      return;
    }
    pending.forEach((item, index) => {
      const result = results.get(String(index));
      if (result === undefined) {
        item.done = {
          kind: 'retry',
          error: new PipelineError('enrich', 'METADATA_MISSING_RESULT', 'the metadata store gave no answer', {
            retriable: true,
          }),
        };
      } else if (result instanceof PipelineError) {
        this.#settle(item, result);
      } else {
        item.metadata = result;
      }
    });
  }

  #toRecords(work: Work[]): void {
    const processedAt = new Date(this.#now());
    for (const item of this.#pending(work)) {
      const event = item.event as SesEvent;
      try {
        const source = recordSource(item.parsed.envelope as Parameters<typeof recordSource>[0], {
          processedAt,
          producerVersion: this.#deps.producerVersion,
        });
        const value = toEnrichedValue(event, item.metadata as EmailMetadata, source, {
          schemaVersion: this.#deps.schemaVersion,
        });
        item.record = {
          topic: this.#deps.topic,
          key: event.mail.messageId,
          value,
          headers: [],
          // Processing time, not the SES event time (that is `eventTime` in the value): topics delete by
          // record timestamp, so a backfill of month-old events stamped with their own time would be
          // removed by retention right after it was written.
          timestamp: processedAt.getTime(),
        };
      } catch (thrown) {
        this.#settle(item, asPipelineError(thrown, 'to-record', 'RECORD_BUILD_FAILED'));
      }
    }
  }

  #transform(work: Work[]): void {
    const chain = this.#deps.chain;
    for (const item of this.#pending(work)) {
      const outcome = chain.apply(item.record as KafkaRecord);
      switch (outcome.kind) {
        case 'ok':
          item.record = outcome.record;
          break;
        case 'filtered':
          if (outcome.error) {
            // Connect would drop a failure tolerated without a DLQ topic; we never drop an event silently,
            // so it goes to the pipeline's own DLQ (SES_KAFKA_DLQ_TOPIC) instead.
            this.#settle(item, outcome.error);
          } else {
            item.done = { kind: 'filtered', eventId: item.event?.eventId, reason: 'dropped by a transform' };
          }
          break;
        case 'dead-letter':
          // The chain's DLQ topic and context headers, but the original payload, so a replay can redo it.
          this.#settle(item, outcome.error, outcome.record.topic, outcome.record.headers);
          break;
        case 'failed':
          // errors.tolerance=none: like a Connect task, stop on the error instead of skipping the input.
          item.done = { kind: 'failed', error: outcome.error };
          break;
      }
    }
  }

  async #serialize(work: Work[]): Promise<void> {
    const schema = this.#deps.chain.outputValueSchema;
    await Promise.all(
      this.#pending(work).map(async (item) => {
        const record = item.record as KafkaRecord;
        try {
          const { bytes, schemaRef } = await this.#deps.serializer.encode(record.value, schema, {
            topic: record.topic,
          });
          const event = item.event as SesEvent;
          // The header repeats the id the value publishes, never the parsed one: with pseudonymised
          // recipients the parsed (unkeyed) id would let a reader confirm a guessed address.
          const published = (record.value as { eventId?: unknown } | null)?.eventId;
          if (typeof published === 'string') item.publishedEventId = published;
          item.outgoing = {
            topic: record.topic,
            key: keyBytes(record.key),
            value: bytes,
            headers: headerMap(record.headers, {
              ...eventHeaders({
                eventType: event.eventType,
                schemaId: schemaRef.id,
                ...(schemaRef.version === undefined ? {} : { schemaVersion: schemaRef.version }),
              }),
              ...(item.publishedEventId === undefined ? {} : { [EVENT_ID_HEADER]: item.publishedEventId }),
            }),
            timestamp: record.timestamp,
          };
        } catch (thrown) {
          this.#settle(item, asPipelineError(thrown, 'serialize', 'SERIALIZE_FAILED'));
        }
      }),
    );
  }

  /** Returns the time spent waiting on Kafka, or undefined when nothing was sent. */
  async #produce(work: Work[], deadline: number): Promise<number | undefined> {
    let latencyMs: number | undefined;
    let sending = work.filter((item) => item.done === undefined && item.outgoing !== undefined);
    // At most two rounds: events first, then dead letters for records the broker rejected outright.
    for (let round = 0; round < 2 && sending.length > 0; round++) {
      const sendStarted = this.#now();
      const results = await this.#deps.producer.send(
        sending.map((item) => item.outgoing as OutgoingRecord),
        deadline,
      );
      latencyMs = (latencyMs ?? 0) + (this.#now() - sendStarted);
      const rejected: Work[] = [];
      sending.forEach((item, index) => {
        const result = results[index];
        const outgoing = item.outgoing as OutgoingRecord;
        if (result?.ok) {
          item.done = item.deadLetterOf
            ? { kind: 'dead-lettered', topic: outgoing.topic, error: item.deadLetterOf }
            : item.serviceEvent
              ? {
                  kind: 'produced',
                  eventId: item.serviceEvent.id ?? '',
                  eventType: item.serviceEvent.detailType,
                  topic: outgoing.topic,
                }
              : {
                  kind: 'produced',
                  eventId: item.publishedEventId ?? '',
                  eventType: (item.event as SesEvent).eventType,
                  topic: outgoing.topic,
                };
          return;
        }
        const error = result?.error ?? new PipelineError('produce', 'KAFKA_NO_RESULT', 'no send result');
        if (item.deadLetterOf) {
          // The dead letter itself did not land: hand the input back rather than lose it.
          item.done = error.retriable ? { kind: 'retry', error } : { kind: 'failed', error };
          return;
        }
        const before = item.outgoing;
        this.#settle(item, error);
        if (item.done === undefined && item.outgoing !== before) rejected.push(item);
      });
      sending = rejected;
    }
    return latencyMs;
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

function countStatuses(work: readonly Work[]): Map<MetadataStatus, number> {
  const counts = new Map<MetadataStatus, number>();
  for (const item of work) {
    if (item.metadata) counts.set(item.metadata.status, (counts.get(item.metadata.status) ?? 0) + 1);
  }
  return counts;
}

/** Inputs the caller must have redelivered: retriable failures, and failures nobody can fix by waiting. */
export function needsRedelivery(result: PipelineResult): boolean {
  return result.disposition.kind === 'retry' || result.disposition.kind === 'failed';
}

export { EVENT_HEADERS, EVENT_ID_HEADER };
