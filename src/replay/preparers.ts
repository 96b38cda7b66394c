/**
 * Who prepares replay's batches (parse, enrich, transform, encode: every stage but Kafka). In this
 * thread, or on worker threads so that the main thread only reads archives and talks to Kafka.
 *
 * Why workers: a replay is CPU-bound in one thread. Profiled on 100k events (`node --cpu-prof`), the
 * main thread was busy 99% of the time and preparing took about half of it; the other half is reading,
 * splitting and the Kafka client. With the preparation elsewhere, the two halves can run on two cores,
 * when the machine has cores to spare (see workerCount).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PipelineError } from '../errors.ts';
import { logger } from '../observability/logger.ts';
import { type Pipeline, type PreparedBatch, preparedBatchOf } from '../pipeline.ts';
import { slotsIn, type TransferSlot } from './prepared-transfer.ts';
import { type ArchiveRecord, recordInputs } from './record-inputs.ts';

export interface PreparedRecords {
  batch: PreparedBatch;
  /** The raw text of the batch's input number `index`, for `--failed-out`. */
  rawOf(index: number): string;
}

export interface BatchPreparer {
  /**
   * Resolves with one prepared input per pipeline input of `records`, in order. Rejects only on a bug
   * or a worker that could not start: bad inputs and failing services are dispositions, as in the pipeline.
   */
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

/**
 * What a worker says: that it is ready (or could not start), and for each request the batch prepared
 * or why it could not be (a bug).
 */
export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'start-failed'; failure: string }
  | { kind: 'prepared'; id: number; slots: TransferSlot[]; inputsPerRecord: number[] }
  | { kind: 'failed'; id: number; failure: string };

/**
 * `auto`: on 4 cores or more, one worker per core but two (one for the main thread, which reads and runs
 * the Kafka client, one for V8's garbage collector, gzip and the network), at most 4; below that none.
 * Measured on 2 cores with the broker on the same machine (`npm run bench -- --only replay --runs 3`),
 * one worker made a 100k-event replay 1.21× as fast for 1.61× the peak RSS: the cores were already
 * full, and carrying batches between threads costs CPU of its own (about 15% more in all).
 */
export function workerCount(setting: string, cores: number = availableParallelism()): number {
  if (setting === 'auto') return cores >= 4 ? Math.min(4, cores - 2) : 0;
  const count = Number(setting);
  if (!/^\d+$/.test(setting.trim()) || !Number.isInteger(count) || count > 64) {
    throw new Error(`--workers: expected auto or a whole number from 0 to 64, got "${setting}"`);
  }
  return count;
}

const WORKER_ENTRY = new URL('./prepare-worker.mjs', import.meta.url);

interface WorkerSlot {
  worker: Worker;
  /** Resolves once the worker is ready or could not start. */
  started: Promise<void>;
  /** Set once its pipeline is built; until then batches are prepared in this thread. */
  ready: boolean;
  pending: Map<number, Pending>;
}

interface Pending {
  records: readonly ArchiveRecord[];
  resolve: (prepared: PreparedRecords) => void;
  reject: (error: Error) => void;
}

/**
 * Prepares on worker threads, each with its own pipeline built from the same settings (the same
 * transform chain, registry and metadata table). Batches go to the ready workers in turn; replay still
 * hands them to Kafka in input order, so ordering per key is unchanged. A worker takes about 1.5 s to
 * load its modules and build its pipeline, so until one is ready this thread prepares, and a small
 * replay is not slowed down by waiting for it.
 */
export class WorkerPreparer implements BatchPreparer {
  readonly #workers: WorkerSlot[] = [];
  readonly #inThread: InThreadPreparer;
  #next = 0;
  #nextId = 0;
  #broken: Error | undefined;
  #batchesOnWorkers = 0;
  #batchesInThread = 0;

  /**
   * @param env the settings the workers build their pipelines from (secrets already resolved)
   * @param pipeline this thread's pipeline, which prepares until a worker is ready
   */
  constructor(count: number, env: Readonly<Record<string, string | undefined>>, pipeline: Pipeline) {
    this.#inThread = new InThreadPreparer(pipeline);
    for (let index = 0; index < count; index++) {
      let started = () => {};
      const slot: WorkerSlot = {
        worker: new Worker(WORKER_ENTRY, {
          // The worker's log lines in the format and at the level this thread writes them.
          workerData: { env, logFormat: logger.logFormat, logLevel: logger.getLevelName() },
        }),
        started: new Promise((resolve) => {
          started = resolve;
        }),
        ready: false,
        pending: new Map(),
      };
      const fail = (error: Error) => {
        started();
        this.#broken ??= error;
        slot.ready = false;
        for (const waiting of slot.pending.values()) waiting.reject(error);
        slot.pending.clear();
      };
      slot.worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'ready') {
          slot.ready = true;
          started();
        } else if (message.kind === 'start-failed') {
          fail(
            new PipelineError(
              'config',
              'REPLAY_WORKER_FAILED',
              `${message.failure}; --workers 0 prepares every batch in the main thread`,
            ),
          );
        } else this.#settle(slot.pending, message);
      });
      slot.worker.on('error', (error) =>
        fail(new Error(`replay worker failed: ${error.message}`, { cause: error })),
      );
      slot.worker.on('exit', (code) =>
        fail(new Error(`replay worker stopped unexpectedly (exit code ${code})`)),
      );
      this.#workers.push(slot);
    }
  }

  #settle(pending: Map<number, Pending>, message: Extract<WorkerMessage, { id: number }>): void {
    const waiting = pending.get(message.id);
    if (waiting === undefined) return;
    pending.delete(message.id);
    if (message.kind === 'failed') {
      waiting.reject(new PipelineError('config', 'REPLAY_WORKER_FAILED', message.failure));
      return;
    }
    const rawOf = rawLookup(waiting.records, message.inputsPerRecord);
    waiting.resolve({ batch: preparedBatchOf(slotsIn(message.slots, rawOf)), rawOf });
  }

  /** The next ready worker in turn, if any is. */
  #readyWorker(): WorkerSlot | undefined {
    for (let tried = 0; tried < this.#workers.length; tried++) {
      const slot = this.#workers[this.#next++ % this.#workers.length] as WorkerSlot;
      if (slot.ready) return slot;
    }
    return undefined;
  }

  prepare(records: readonly ArchiveRecord[]): Promise<PreparedRecords> {
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    const slot = this.#readyWorker();
    if (slot === undefined) {
      this.#batchesInThread++;
      return this.#inThread.prepare(records);
    }
    const id = this.#nextId++;
    this.#batchesOnWorkers++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { records, resolve, reject });
      slot.worker.postMessage({ id, records } satisfies PrepareRequest);
    });
  }

  /** Resolves once every worker is ready or has failed to start (tests wait for it; replay does not). */
  async started(): Promise<void> {
    await Promise.all(this.#workers.map((slot) => slot.started));
  }

  /** How many batches went to a worker rather than being prepared in this thread. */
  get batchesOnWorkers(): number {
    return this.#batchesOnWorkers;
  }

  /** What the workers did, for the end of a run: `38 of 40 batches prepared on 2 worker threads`. */
  summary(): string {
    const total = this.#batchesOnWorkers + this.#batchesInThread;
    const threads = `${this.#workers.length} worker thread${this.#workers.length === 1 ? '' : 's'}`;
    return `${this.#batchesOnWorkers} of ${total} batches prepared on ${threads} (the others in the main thread while the workers started)`;
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
