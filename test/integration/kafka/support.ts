import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import type { ClientSettings } from '../../../src/kafka/client.ts';
import { stackEndpoints } from '../../../src/stack/endpoints.ts';
import { createTopics as createLocalTopics } from '../../support/pipeline.ts';

export { closedPort } from '../../support/ports.ts';

export const endpoints = stackEndpoints();

export function uniqueTopic(purpose: string): string {
  return `kafka-it-${purpose}-${randomUUID().slice(0, 8)}`;
}

/** A plaintext admin/consumer client for checking what reached the broker, independent of our adapter. */
function inspector(): Kafka {
  return new Kafka({
    clientId: 'kafka-it-inspector',
    brokers: [endpoints.kafkaBrokers],
    logLevel: logLevel.NOTHING,
  });
}

export async function createTopics(topics: string[], numPartitions = 3): Promise<void> {
  await createLocalTopics(topics, endpoints.kafkaBrokers, numPartitions);
}

export async function listTopics(): Promise<string[]> {
  const admin = inspector().admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

/** The decoded record plus the record-batch fields kafkajs keeps, which show how it was produced. */
export type ConsumedRecord = KafkaMessage & {
  partition: number;
  batchContext: { producerId: string; producerEpoch: number; firstSequence: number };
};

/** Reads `topic` from the beginning until `count` records arrived (fails after `timeoutMs`). */
export async function consume(topic: string, count: number, timeoutMs = 30_000): Promise<ConsumedRecord[]> {
  const consumer = inspector().consumer({ groupId: `kafka-it-${randomUUID()}` });
  await consumer.connect();
  const received: ConsumedRecord[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out reading ${topic}: ${received.length} of ${count} records`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            received.push({ ...(message as ConsumedRecord), partition });
            if (received.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

export function headerText(record: KafkaMessage, name: string): string | undefined {
  const value = record.headers?.[name];
  return value === undefined ? undefined : String(value);
}

export function baseSettings(topic: string, overrides: Partial<ClientSettings> = {}): ClientSettings {
  return {
    brokers: [endpoints.kafkaBrokers],
    topic,
    dlqTopic: `${topic}.dlq`,
    clientId: 'kafka-it',
    auth: { mode: 'none' },
    tls: { enabled: false },
    sendTimeoutMs: 10_000,
    connectionTimeoutMs: 2_000,
    ...overrides,
  };
}

/** A listener that accepts connections and never answers: a broker that hangs. */
export async function silentBroker(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Forwards a loopback port to the real broker, so a test can make a bootstrap address appear later. */
export async function forwardTo(port: number, target: string): Promise<{ close(): Promise<void> }> {
  const [host, targetPort] = target.split(':') as [string, string];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
