/**
 * Who prepares replay's batches (parse, enrich, transform, encode: every stage but Kafka). In this
 * thread, or on worker threads so that the main thread only reads archives and talks to Kafka.
 *
 * Why workers: a replay is CPU-bound in one thread. Profiled on 100k events (`node --cpu-prof`), the
 * main thread was busy 99% of the time and preparing took about half of it; the other half is reading,
 * splitting and the Kafka client. With the preparation elsewhere, the two halves run on two cores.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PipelineError } from '../errors.ts';
import { type Pipeline, type PreparedBatch, preparedBatchOf } from '../pipeline.ts';
import { slotsIn, type TransferSlot } from './prepared-transfer.ts';
import { type ArchiveRecord, recordInputs } from './record-inputs.ts';

export interface PreparedRecords {
  batch: PreparedBatch;
  /** The raw text of the batch's input number `index`, for `--failed-out`. */
  rawOf(index: number): string;
}

export interface BatchPreparer {
  /** Resolves with one prepared input per pipeline input of `records`, in order; rejects only on a bug. */
  prepare(records: readonly ArchiveRecord[]): Promise<PreparedRecords>;
  close(): Promise<void>;
}

/** Prepares in this thread, with the pipeline that also sends. */
export class InThreadPreparer implements BatchPreparer {
  constructor(private readonly pipeline: Pipeline) {}

  async prepare(records: readonly ArchiveRecord[]): Promise<PreparedRecords> {
    const inputs = records.flatMap((record) => recordInputs(record.label, record.value));
    const batch = await this.pipeline.prepare(inputs);
    return { batch, rawOf: (index) => inputs[index]?.parsed.raw ?? '' };
  }

  async close(): Promise<void> {}
}

/** What a worker is sent: a batch to prepare. */
export interface PrepareRequest {
  id: number;
  records: readonly ArchiveRecord[];
}

/** What a worker answers: the batch prepared, or why it could not be (a bug or a start-up failure). */
export type PrepareReply =
  | { id: number; slots: TransferSlot[]; inputsPerRecord: number[] }
  | { id: number; failure: string };

/** `auto`: one worker per core but the one the main thread keeps busy; none on a single core. */
export function workerCount(setting: string): number {
  if (setting === 'auto') return Math.min(4, Math.max(0, availableParallelism() - 1));
  const count = Number(setting);
  if (!Number.isInteger(count) || count < 0 || count > 64) {
    throw new Error(`--workers: expected auto or a whole number from 0 to 64, got "${setting}"`);
  }
  return count;
}

const WORKER_ENTRY = new URL('./prepare-worker.mjs', import.meta.url);

interface WorkerSlot {
  worker: Worker;
  pending: Map<number, Pending>;
}

interface Pending {
  records: readonly ArchiveRecord[];
  resolve: (prepared: PreparedRecords) => void;
  reject: (error: Error) => void;
}

/**
 * Prepares on worker threads, each with its own pipeline built from the same settings (the same
 * transform chain, registry and metadata table). Batches go to the workers in turn; replay still
 * hands them to Kafka in input order, so ordering per key is unchanged.
 */
export class WorkerPreparer implements BatchPreparer {
  readonly #workers: WorkerSlot[] = [];
  #next = 0;
  #nextId = 0;
  #broken: Error | undefined;

  /** `env`: the settings the workers build their pipelines from (secrets already resolved). */
  constructor(count: number, env: Readonly<Record<string, string | undefined>>) {
    for (let index = 0; index < count; index++) {
      const pending = new Map<number, Pending>();
      const worker = new Worker(WORKER_ENTRY, { workerData: { env } });
      worker.on('message', (reply: PrepareReply) => this.#settle(pending, reply));
      const fail = (error: Error) => {
        this.#broken ??= error;
        for (const waiting of pending.values()) waiting.reject(error);
        pending.clear();
      };
      worker.on('error', (error) =>
        fail(new Error(`replay worker failed: ${error.message}`, { cause: error })),
      );
      worker.on('exit', (code) => fail(new Error(`replay worker stopped unexpectedly (exit code ${code})`)));
      this.#workers.push({ worker, pending });
    }
  }

  #settle(pending: Map<number, Pending>, reply: PrepareReply): void {
    const waiting = pending.get(reply.id);
    if (waiting === undefined) return;
    pending.delete(reply.id);
    if ('failure' in reply) {
      waiting.reject(new PipelineError('config', 'REPLAY_WORKER_FAILED', reply.failure));
      return;
    }
    const rawOf = rawLookup(waiting.records, reply.inputsPerRecord);
    waiting.resolve({ batch: preparedBatchOf(slotsIn(reply.slots, rawOf)), rawOf });
  }

  prepare(records: readonly ArchiveRecord[]): Promise<PreparedRecords> {
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    const slot = this.#workers[this.#next++ % this.#workers.length] as WorkerSlot;
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { records, resolve, reject });
      slot.worker.postMessage({ id, records } satisfies PrepareRequest);
    });
  }

  async close(): Promise<void> {
    this.#broken ??= new Error('replay workers closed');
    await Promise.all(
      this.#workers.map(({ worker }) => {
        worker.removeAllListeners('exit');
        return worker.terminate();
      }),
    );
  }
}

/**
 * Input `index`'s raw text, parsed again from its record on demand: the worker parsed it, and only
 * inputs that are handed back or dead-lettered by the broker ever need it.
 */
function rawLookup(
  records: readonly ArchiveRecord[],
  inputsPerRecord: readonly number[],
): (index: number) => string {
  return (index) => {
    let remaining = index;
    for (let position = 0; position < records.length; position++) {
      const count = inputsPerRecord[position] ?? 0;
      if (remaining < count) {
        const record = records[position] as ArchiveRecord;
        return recordInputs(record.label, record.value)[remaining]?.parsed.raw ?? record.value.text;
      }
      remaining -= count;
    }
    return '';
  };
}
