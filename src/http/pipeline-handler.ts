import { describeError } from '../errors.ts';
import { logger, redactEmail } from '../observability/logger.ts';
import type { Pipeline } from '../pipeline.ts';
import { parseAnyInput } from '../ses/index.ts';
import type { NotificationHandler } from './sns-endpoint.ts';

/**
 * Sends a verified SNS notification through the one pipeline. `retry` makes the endpoint answer 500, so
 * SNS redelivers; a dead-lettered event is `rejected` (answered 200: redelivery cannot help it).
 */
export function pipelineNotificationHandler(pipeline: Pipeline, deadlineMs = 20_000): NotificationHandler {
  return async (body, message) => {
    const inputs = parseAnyInput(body).map((parsed, index) => ({
      id: `${message.MessageId}#${index}`,
      parsed,
    }));
    try {
      const results = await pipeline.process(inputs, Date.now() + deadlineMs);
      if (
        results.some((result) => result.disposition.kind === 'retry' || result.disposition.kind === 'failed')
      ) {
        return 'retry';
      }
      return results.some((result) => result.disposition.kind === 'dead-lettered') ? 'rejected' : 'ok';
    } catch (error) {
      logger.error('serve: pipeline failed; asking SNS to retry', {
        error: redactEmail(describeError(error)),
      });
      return 'retry';
    }
  };
}
