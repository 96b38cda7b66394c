import assert from 'node:assert/strict';
import { EmfPipelineMetrics } from '../../../src/observability/metrics.ts';

interface EmfDocument {
  _aws: {
    CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
  };
  [key: string]: unknown;
}

/** Powertools writes EMF documents to stdout, one JSON object per line, as CloudWatch Logs ingests them. */
function captureStdout(run: () => void): EmfDocument[] {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    run();
  } finally {
    process.stdout.write = write;
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EmfDocument);
}

describe('EMF pipeline metrics', () => {
  it('writes events by type, enrichment by status, dead letters, retries, batch size and produce latency', () => {
    const metrics = new EmfPipelineMetrics();
    const documents = captureStdout(() => {
      metrics.record({
        batchSize: 5,
        outcomes: {
          producedByType: new Map([
            ['Bounce', 2],
            ['Delivery', 1],
          ]),
          filtered: 0,
          deadLettered: 1,
          retry: 1,
          failed: 0,
        },
        metadataStatuses: new Map([
          ['FOUND', 2],
          ['NOT_FOUND', 1],
        ]),
        produceLatencyMs: 42,
      });
      metrics.flush();
    });
    const value = (metric: string, dimension?: [string, string]) =>
      documents.find(
        (doc) =>
          doc._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === metric) &&
          (dimension === undefined || doc[dimension[0]] === dimension[1]),
      )?.[metric];
    assert.equal(value('EventsProduced', ['eventType', 'Bounce']), 2);
    assert.equal(value('EventsProduced', ['eventType', 'Delivery']), 1);
    assert.equal(value('Enrichment', ['metadataStatus', 'NOT_FOUND']), 1);
    assert.equal(value('DeadLettered'), 1);
    assert.equal(value('Retry'), 1);
    assert.equal(value('BatchSize'), 5);
    assert.equal(value('ProduceLatency'), 42);
    assert.ok(documents.every((doc) => doc._aws.CloudWatchMetrics[0]?.Namespace === 'SesKafkaProducer'));
  });
});
