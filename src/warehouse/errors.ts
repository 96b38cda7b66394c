/** Failures of the warehouse side (consumer, sinks, report), with a stable code and a retriable flag. */
export class WarehouseError extends Error {
  override readonly name = 'WarehouseError';
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}
