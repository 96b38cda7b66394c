import { Kafka, logLevel } from 'kafkajs';
import { DLQ_HEADERS } from '../kafka/dlq.ts';

/**
 * How many dead letters a DLQ topic holds per error code, read from their `ses-kafka.errors.code`
 * headers: the main job prints this one line instead of a log line per dead-lettered input.
 */
export async function deadLetterCodes(
  brokers: string,
  topic: string,
  expected: number,
): Promise<Map<string, number>> {
  const codes = new Map<string, number>();
  if (expected === 0) return codes;
  const consumer = new Kafka({
    clientId: 'ses-kafka-start-dlq',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
  }).consumer({
    groupId: `${topic}-summary`,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      const giveUp = setTimeout(resolve, 15_000);
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const code = message.headers?.[DLQ_HEADERS.code]?.toString() ?? 'unknown';
            codes.set(code, (codes.get(code) ?? 0) + 1);
            if (++seen >= expected) {
              clearTimeout(giveUp);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return codes;
}
