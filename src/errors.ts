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

export class PipelineError extends Error {
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
