/**
 * `consume --metrics-port`: GET /healthz and a Prometheus GET /metrics, for a long-running consumer in a
 * container. The exposition format comes from prom-client (the Prometheus client most Node services
 * use), not from hand-written text.
 *
 * /healthz answers 200 while the consumer is a member of its group and fetching, 503 while it joins,
 * stops or has stopped, so an orchestrator restarts a consumer that gave up.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { TopicPartition, TopicPartitionOffset } from '../kafka/consumer-port.ts';
import type { ConsumerObserver } from './consumer.ts';
import { DECODE_ERRORS_TABLE, EVENTS_TABLE, RECIPIENTS_TABLE } from './model.ts';

type State = 'joining' | 'running' | 'stopping' | 'stopped';

export class ConsumerMetrics implements ConsumerObserver {
  readonly registry = new Registry();
  #state: State = 'joining';
  readonly #lag: Gauge<'topic' | 'partition'>;
  readonly #committedOffset: Gauge<'topic' | 'partition'>;
  readonly #rows: Counter<'table'>;
  readonly #decodeErrors: Counter<'code'>;
  readonly #lastCommit: Gauge;
  readonly #assigned: Gauge;
  readonly #up: Gauge;

  constructor(labels: { group: string; sink: string }) {
    this.registry.setDefaultLabels(labels);
    // Unprefixed, as Prometheus names them everywhere (process_cpu_seconds_total...), so stock dashboards work.
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.#lag = new Gauge({
      name: 'ses_kafka_consumer_lag_records',
      help: 'Records in the partition not yet durable in the sink: high watermark minus the committed offset',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.#committedOffset = new Gauge({
      name: 'ses_kafka_consumer_committed_offset',
      help: 'The last offset this consumer committed (the next record to read)',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.#rows = new Counter({
      name: 'ses_kafka_consumer_rows_written_total',
      help: 'Rows handed to the sink, by table',
      labelNames: ['table'],
      registers,
    });
    this.#decodeErrors = new Counter({
      name: 'ses_kafka_consumer_decode_errors_total',
      help: 'Records that could not be decoded (written to ses_decode_errors), by error code',
      labelNames: ['code'],
      registers,
    });
    this.#lastCommit = new Gauge({
      name: 'ses_kafka_consumer_last_commit_timestamp_seconds',
      help: 'When this consumer last committed offsets (Unix time)',
      registers,
    });
    this.#assigned = new Gauge({
      name: 'ses_kafka_consumer_assigned_partitions',
      help: 'Partitions the group assigned to this consumer',
      registers,
    });
    this.#up = new Gauge({
      name: 'ses_kafka_consumer_up',
      help: '1 while the consumer is a member of its group and fetching',
      registers,
    });
  }

  get healthy(): boolean {
    return this.#state === 'running';
  }

  get stateName(): State {
    return this.#state;
  }

  state(state: State): void {
    this.#state = state;
    this.#up.set(state === 'running' ? 1 : 0);
  }

  assigned(partitions: readonly TopicPartition[]): void {
    this.#assigned.set(partitions.length);
    // Partitions that moved to another member no longer report lag from here.
    this.#lag.reset();
  }

  written(counts: { events: number; recipients: number; decodeErrors: number }): void {
    this.#rows.inc({ table: EVENTS_TABLE }, counts.events);
    this.#rows.inc({ table: RECIPIENTS_TABLE }, counts.recipients);
    this.#rows.inc({ table: DECODE_ERRORS_TABLE }, counts.decodeErrors);
  }

  decodeError(code: string): void {
    this.#decodeErrors.inc({ code });
  }

  committed(offsets: readonly TopicPartitionOffset[]): void {
    for (const { topic, partition, offset } of offsets) {
      this.#committedOffset.set({ topic, partition: String(partition) }, Number(offset));
    }
    this.#lastCommit.set(Date.now() / 1000);
  }

  lag(topic: string, partition: number, lag: number): void {
    this.#lag.set({ topic, partition: String(partition) }, lag);
  }
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves /healthz and /metrics on 0.0.0.0:`port` (0 picks a free port). */
export async function startMetricsServer(metrics: ConsumerMetrics, port: number): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const body = JSON.stringify({
        status: metrics.healthy ? 'ok' : 'unavailable',
        state: metrics.stateName,
      });
      response.writeHead(metrics.healthy ? 200 : 503, { 'content-type': 'application/json' }).end(body);
      return;
    }
    if (path === '/metrics') {
      metrics.registry
        .metrics()
        .then((text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text))
        .catch((error: unknown) => response.writeHead(500).end(String(error)));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
