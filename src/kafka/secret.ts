import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Holds a password or token so that logging, JSON-encoding or string-interpolating a settings object can
 * never print it; only an explicit `reveal()` hands the value to the code that needs it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
