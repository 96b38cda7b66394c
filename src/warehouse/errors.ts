import type { TopicPartitionOffset } from '../kafka/consumer-port.ts';

/** Failures of the warehouse side (consumer, sinks, report), with a stable code and a retriable flag. */
export class WarehouseError extends Error {
  override readonly name = 'WarehouseError';
  readonly code: string;
  readonly retriable: boolean;
  /**
   * What a sink had made durable before it failed (a file sink publishes files one roll at a time):
   * the consumer commits these and nothing after them.
   */
  readonly durable: readonly TopicPartitionOffset[];

  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; cause?: unknown; durable?: readonly TopicPartitionOffset[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.durable = options.durable ?? [];
  }
}
