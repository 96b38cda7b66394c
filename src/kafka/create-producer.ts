/**
 * The producer adapter SES_KAFKA_CLIENT chooses. kafkajs is the default; @platformatic/kafka is
 * imported only when chosen, because loading it costs a Lambda cold start about 60 MB and the time to
 * compile its option schemas, whether or not it is used.
 */
import type { KAFKA_CLIENTS } from '../config/settings.ts';
import { describeError, PipelineError } from '../errors.ts';
import type { ClientSettings } from './client.ts';
import { KafkajsProducer, type OutgoingRecord, type ProducerPort, type SendResult } from './producer.ts';

export type KafkaClientName = (typeof KAFKA_CLIENTS)[number];

/** Loads the adapter on the first send; a failure to load hands every record back, never drops it. */
class LazyProducer implements ProducerPort {
  readonly #load: () => Promise<ProducerPort>;
  #loading: Promise<ProducerPort> | undefined;

  constructor(load: () => Promise<ProducerPort>) {
    this.#load = load;
  }

  async send(batch: readonly OutgoingRecord[], deadline: number): Promise<SendResult[]> {
    let producer: ProducerPort;
    try {
      this.#loading ??= this.#load();
      producer = await this.#loading;
    } catch (error) {
      this.#loading = undefined;
      const failure = new PipelineError(
        'config',
        'KAFKA_CLIENT_LOAD_FAILED',
        `cannot load the Kafka client: ${describeError(error)}`,
        { cause: error },
      );
      return batch.map(() => ({ ok: false, error: failure }));
    }
    return producer.send(batch, deadline);
  }

  async close(): Promise<void> {
    const loading = this.#loading;
    if (loading === undefined) return;
    await (await loading.catch(() => undefined))?.close();
  }
}

export function createProducer(settings: ClientSettings, client: KafkaClientName): ProducerPort {
  if (client === 'kafkajs') return new KafkajsProducer(settings);
  return new LazyProducer(async () => {
    const { PlatformaticProducer } = await import('./platformatic-producer.ts');
    return new PlatformaticProducer(settings);
  });
}
