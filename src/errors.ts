/**
 * Errors are values: every failure carries the pipeline stage it came from and whether a retry can
 * succeed. The caller (Lambda handler, CLI, HTTP endpoint) decides between retry, dead-letter and drop.
 */
export type PipelineStage =
  | 'parse'
  | 'enrich'
  | 'to-record'
  | 'transform'
  | 'serialize'
  | 'registry'
  | 'produce'
  | 'config';

/** Marks pipeline errors, so `instanceof` holds even across two copies of this module (see below). */
const PIPELINE_ERROR_BRAND = Symbol.for('ses-kafka-producer.PipelineError');

export class PipelineError extends Error {
  /**
   * A module loaded both through require() and import() (as mocha with tsx does for lazily imported
   * code) exists twice, and a plain `instanceof` then calls a real pipeline error a stranger, which would
   * turn a retriable outage into a dead letter. The brand survives that; subclasses check as usual.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of instanceof (maybe a subclass).
    if (this !== PipelineError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[PIPELINE_ERROR_BRAND] === true
    );
  }

  readonly [PIPELINE_ERROR_BRAND] = true;
  override readonly name: string = 'PipelineError';
  readonly stage: PipelineStage;
  /** True when the same input may succeed later (network, throttling, broker down). */
  readonly retriable: boolean;
  /** A stable, machine-readable code, e.g. `SES_MISSING_FIELD` or `REGISTRY_UNREACHABLE`. */
  readonly code: string;

  constructor(
    stage: PipelineStage,
    code: string,
    message: string,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.stage = stage;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** A configuration problem found at start-up; the message names the key and the fix. */
export class ConfigError extends PipelineError {
  override readonly name = 'ConfigError';
  readonly key: string;

  constructor(key: string, message: string) {
    super('config', 'CONFIG_INVALID', `${key}: ${message}`);
    this.key = key;
  }
}

export function isRetriable(error: unknown): boolean {
  if (error instanceof PipelineError) return error.retriable;
  return Boolean((error as { retriable?: unknown } | null)?.retriable);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
