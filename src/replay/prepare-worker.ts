/**
 * A replay worker thread: builds its own pipeline from the settings it was given and prepares each
 * batch it is sent (parse, enrich, transform, encode), answering with the prepared slots as plain data
 * (prepared-transfer.ts). It never talks to Kafka: the main thread sends, in input order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeError } from '../errors.ts';
import type { ProducerPort, SendResult } from '../kafka/producer.ts';
import type { LogFormat } from '../observability/log-output.ts';
import { logger } from '../observability/logger.ts';
import { preparedSlots } from '../pipeline.ts';
import { buildRuntime } from '../runtime.ts';
import { slotsOut } from './prepared-transfer.ts';
import type { PrepareRequest, WorkerMessage } from './preparers.ts';
import { recordInputs } from './record-inputs.ts';

/** The pipeline here only prepares; a send would be a bug, and says so rather than writing anywhere. */
class NoProducer implements ProducerPort {
  async send(): Promise<SendResult[]> {
    throw new Error('a replay worker prepares batches only; the main thread sends them');
  }

  async close(): Promise<void> {}
}

const port = parentPort;
if (port === null) throw new Error('prepare-worker.ts runs as a worker thread (see preparers.ts)');
const { env, logFormat, logLevel } = workerData as {
  env: Record<string, string | undefined>;
  logFormat: LogFormat;
  logLevel: ReturnType<typeof logger.getLevelName>;
};
logger.setLogFormat(logFormat);
logger.setLogLevel(logLevel);

let pipeline: ReturnType<typeof buildRuntime>['pipeline'] | undefined;
try {
  pipeline = buildRuntime(env, { producer: new NoProducer() }).pipeline;
  port.postMessage({ kind: 'ready' } satisfies WorkerMessage);
} catch (error) {
  // The main thread sends nothing to a worker that is not ready, so no request waits on this one.
  port.postMessage({
    kind: 'start-failed',
    failure: `replay worker could not start: ${describeError(error)}`,
  } satisfies WorkerMessage);
}

port.on('message', async (request: PrepareRequest) => {
  let reply: WorkerMessage;
  try {
    if (pipeline === undefined) throw new Error('this replay worker could not start');
    const inputsPerRecord: number[] = [];
    const inputs = request.records.flatMap((record) => {
      const ofRecord = recordInputs(record.label, record.value);
      inputsPerRecord.push(ofRecord.length);
      return ofRecord;
    });
    const prepared = await pipeline.prepare(inputs);
    reply = { kind: 'prepared', id: request.id, slots: slotsOut(preparedSlots(prepared)), inputsPerRecord };
  } catch (error) {
    reply = { kind: 'failed', id: request.id, failure: describeError(error) };
  }
  port.postMessage(reply);
});
