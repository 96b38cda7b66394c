import { describeError } from '../errors.ts';
import { logger, redactEmail } from '../observability/logger.ts';
import type { Pipeline } from '../pipeline.ts';
import { parseSnsNotification } from '../ses/index.ts';
import type { NotificationHandler } from './sns-endpoint.ts';

/**
 * Sends a verified SNS notification through the one pipeline. The pipeline sees the signed `Message`
 * and the signed envelope fields only (MessageId, TopicArn, Timestamp): the handler is given nothing
 * else, so a key added to a genuine body (`Records`, `Sns`, `body`...) cannot choose what is processed.
 * `retry` makes the endpoint answer 503, so SNS redelivers; a dead-lettered event is `rejected`
 * (answered 200: redelivery cannot help it).
 */
export function pipelineNotificationHandler(pipeline: Pipeline, deadlineMs = 20_000): NotificationHandler {
  return async (message) => {
    const parsed = parseSnsNotification({
      Type: message.Type,
      MessageId: message.MessageId,
      TopicArn: message.TopicArn,
      Timestamp: message.Timestamp,
      Message: message.Message,
    });
    try {
      const [result] = await pipeline.process([{ id: message.MessageId, parsed }], Date.now() + deadlineMs);
      const kind = result?.disposition.kind;
      if (kind === undefined || kind === 'retry' || kind === 'failed') return 'retry';
      return kind === 'dead-lettered' ? 'rejected' : 'ok';
    } catch (error) {
      logger.error('serve: pipeline failed; asking SNS to retry', {
        error: redactEmail(describeError(error)),
      });
      return 'retry';
    }
  };
}
