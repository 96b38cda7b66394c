/**
 * A prepared batch (every pipeline stage but Kafka) in a form that crosses a worker-thread boundary,
 * and back. Structured clone keeps plain data but not classes: a PipelineError arrives as a bare Error
 * without its code, stage and retriable flag (which decide between dead letter and redelivery), and a
 * Buffer arrives as a plain Uint8Array. So errors travel as their fields and are rebuilt, and byte
 * arrays are wrapped as Buffers again without copying.
 *
 * The parse outcome does not travel: it holds the whole parsed event, and on the sending side only its
 * `raw` text is ever read (for a dead letter the broker forces, or `--failed-out`). The sending side
 * rebuilds that from the record text it still holds, and only for the inputs that need it.
 */
import type { EmailMetadata } from '../enrich/metadata.ts';
import { PipelineError, type PipelineStage } from '../errors.ts';
import type { OutgoingRecord } from '../kafka/producer.ts';
import type { Disposition, PreparedSlot } from '../pipeline.ts';
import type { ParseOutcome } from '../ses/index.ts';

export interface TransferError {
  stage: PipelineStage;
  code: string;
  message: string;
  retriable: boolean;
}

type TransferDisposition =
  | Exclude<Disposition, { error: PipelineError }>
  | (Omit<Extract<Disposition, { error: PipelineError }>, 'error'> & { error: TransferError });

export type TransferSlot =
  | { stage: 'done'; id: string; metadata?: EmailMetadata; disposition: TransferDisposition }
  | {
      stage: 'ready';
      id: string;
      metadata?: EmailMetadata;
      outgoing: OutgoingRecord;
      onDelivered: TransferDisposition;
      deadLetterOf?: TransferError;
      key: string | null;
    };

function errorOut(error: PipelineError): TransferError {
  return { stage: error.stage, code: error.code, message: error.message, retriable: error.retriable };
}

function errorIn(error: TransferError): PipelineError {
  return new PipelineError(error.stage, error.code, error.message, { retriable: error.retriable });
}

function dispositionOut(disposition: Disposition): TransferDisposition {
  return 'error' in disposition ? { ...disposition, error: errorOut(disposition.error) } : disposition;
}

function dispositionIn(disposition: TransferDisposition): Disposition {
  return 'error' in disposition
    ? ({ ...disposition, error: errorIn(disposition.error) } as Disposition)
    : disposition;
}

/** The slots of a prepared batch as plain data (the worker's side). */
export function slotsOut(slots: readonly PreparedSlot[]): TransferSlot[] {
  return slots.map((slot): TransferSlot => {
    const metadata = slot.metadata === undefined ? {} : { metadata: slot.metadata };
    if (slot.stage === 'done') {
      return { stage: 'done', id: slot.id, ...metadata, disposition: dispositionOut(slot.disposition) };
    }
    return {
      stage: 'ready',
      id: slot.id,
      ...metadata,
      outgoing: slot.outgoing,
      onDelivered: dispositionOut(slot.onDelivered),
      ...(slot.deadLetterOf === undefined ? {} : { deadLetterOf: errorOut(slot.deadLetterOf) }),
      key: slot.key,
    };
  });
}

function asBuffer<T>(value: T): T | Buffer {
  return value instanceof Uint8Array && !Buffer.isBuffer(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : value;
}

function outgoingIn(outgoing: OutgoingRecord): OutgoingRecord {
  const headers: Record<string, string | Buffer | ReadonlyArray<string | Buffer>> = {};
  for (const [name, value] of Object.entries(outgoing.headers ?? {})) {
    headers[name] = Array.isArray(value) ? value.map(asBuffer) : asBuffer(value);
  }
  return {
    ...outgoing,
    key: asBuffer(outgoing.key),
    value: asBuffer(outgoing.value),
    ...(outgoing.headers === undefined ? {} : { headers }),
  };
}

/**
 * A parse outcome that holds only the raw text, computed on first read. Safe because the sending side
 * of the pipeline (`Pipeline.send`) reads nothing else of it; see the file comment. A class, so the
 * getter is on the prototype and each of the many instances is a small object of one shape.
 */
class RawOnlyOutcome {
  readonly ok = false;
  readonly envelope = {};
  #raw: string | undefined;

  constructor(
    private readonly rawOf: (index: number) => string,
    private readonly index: number,
  ) {}

  get raw(): string {
    this.#raw ??= this.rawOf(this.index);
    return this.#raw;
  }
}

/** The slots again, ready for `preparedBatchOf` (the sending side); `rawOf(index)` gives input index's raw text. */
export function slotsIn(slots: readonly TransferSlot[], rawOf: (index: number) => string): PreparedSlot[] {
  return slots.map((slot, index): PreparedSlot => {
    const base = {
      id: slot.id,
      parsed: new RawOnlyOutcome(rawOf, index) as unknown as ParseOutcome,
      ...(slot.metadata === undefined ? {} : { metadata: slot.metadata }),
    };
    if (slot.stage === 'done')
      return { ...base, stage: 'done', disposition: dispositionIn(slot.disposition) };
    return {
      ...base,
      stage: 'ready',
      outgoing: outgoingIn(slot.outgoing),
      onDelivered: dispositionIn(slot.onDelivered),
      ...(slot.deadLetterOf === undefined ? {} : { deadLetterOf: errorIn(slot.deadLetterOf) }),
      key: slot.key,
    };
  });
}
