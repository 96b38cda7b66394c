/**
 * `replay --failed-out FILE`: inputs that were not written (retry or failed) go here as NDJSON, one line
 * each, as they happen, so a backfill of millions never holds them in memory and a killed run keeps what
 * it already handed back. Before a checkpoint moves past an input written here, the file is synced.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';

export class FailedOutWriter {
  readonly file: string;
  readonly #append: boolean;
  #descriptor: number | undefined;
  #unsynced = false;
  #lines = 0;

  /** @param append keep what an earlier run of the same backfill wrote (a resumed checkpoint). */
  constructor(file: string, options: { append: boolean }) {
    this.file = file;
    this.#append = options.append;
  }

  /** Lines written by this run. */
  get lines(): number {
    return this.#lines;
  }

  /** One input, on one line: NDJSON that `replay` reads back. */
  write(raw: string): void {
    // Opened on the first failure, so a clean run leaves no empty file behind.
    this.#descriptor ??= openSync(this.file, this.#append ? 'a' : 'w');
    writeSync(this.#descriptor, `${raw.replace(/\r?\n/g, ' ')}\n`);
    this.#unsynced = true;
    this.#lines++;
  }

  /** Makes every line written so far durable. */
  sync(): void {
    if (this.#descriptor !== undefined && this.#unsynced) {
      fdatasyncSync(this.#descriptor);
      this.#unsynced = false;
    }
  }

  close(): void {
    if (this.#descriptor === undefined) return;
    this.sync();
    closeSync(this.#descriptor);
    this.#descriptor = undefined;
  }
}
