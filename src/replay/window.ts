/**
 * The replay window: how much read input may be in the pipeline at once (parsed, enriched, encoded or
 * waiting for Kafka), bounded both in inputs and in bytes of input text. Reading waits for room, and
 * room comes back only when Kafka has acknowledged (or the pipeline has otherwise settled) a batch, so
 * Kafka's pace sets the pace of reading and memory stays flat however large the archive is.
 */
export interface WindowLimits {
  inputs: number;
  bytes: number;
}

export class InFlightWindow {
  readonly limits: WindowLimits;
  #inputs = 0;
  #bytes = 0;
  #waiting: Array<{ inputs: number; bytes: number; resolve: () => void }> = [];

  constructor(limits: WindowLimits) {
    this.limits = limits;
  }

  get inputs(): number {
    return this.#inputs;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #fits(inputs: number, bytes: number): boolean {
    // A batch larger than the whole window still goes, alone, or it would never go at all.
    if (this.#inputs === 0 && this.#bytes === 0) return true;
    return this.#inputs + inputs <= this.limits.inputs && this.#bytes + bytes <= this.limits.bytes;
  }

  /** Resolves once the batch fits; batches get room in the order they asked for it. */
  acquire(inputs: number, bytes: number): Promise<void> {
    if (this.#waiting.length === 0 && this.#fits(inputs, bytes)) {
      this.#inputs += inputs;
      this.#bytes += bytes;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push({ inputs, bytes, resolve }));
  }

  release(inputs: number, bytes: number): void {
    this.#inputs -= inputs;
    this.#bytes -= bytes;
    while (this.#waiting.length > 0) {
      const next = this.#waiting[0] as { inputs: number; bytes: number; resolve: () => void };
      if (!this.#fits(next.inputs, next.bytes)) break;
      this.#waiting.shift();
      this.#inputs += next.inputs;
      this.#bytes += next.bytes;
      next.resolve();
    }
  }
}
