import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { readSetting } from '../config/settings.ts';
import type { MetadataStatus } from '../enrich/metadata.ts';

export interface BatchOutcomeCounts {
  /** Produced events by SES event type. */
  producedByType: Map<string, number>;
  filtered: number;
  deadLettered: number;
  retry: number;
  failed: number;
}

export interface BatchMetrics {
  batchSize: number;
  outcomes: BatchOutcomeCounts;
  metadataStatuses: Map<MetadataStatus, number>;
  /** Wall time of the producer call(s), when anything was sent. */
  produceLatencyMs?: number;
}

/** What the pipeline reports per batch; the Lambda runtime writes it as CloudWatch EMF, the CLI ignores it. */
export interface PipelineMetrics {
  record(batch: BatchMetrics): void;
  flush(): void;
}

/**
 * CloudWatch embedded-metric-format output via Powertools: one EMF document per metric family and flush,
 * namespace from POWERTOOLS_METRICS_NAMESPACE (default `SesKafkaProducer`).
 */
export class EmfPipelineMetrics implements PipelineMetrics {
  readonly #metrics: Metrics;

  constructor(metrics?: Metrics) {
    this.#metrics =
      metrics ??
      new Metrics({
        namespace: readSetting(process.env, 'metricsNamespace') as string,
        serviceName: readSetting(process.env, 'serviceName') as string,
      });
  }

  record(batch: BatchMetrics): void {
    const metrics = this.#metrics;
    metrics.addMetric('BatchSize', MetricUnit.Count, batch.batchSize);
    metrics.addMetric('DeadLettered', MetricUnit.Count, batch.outcomes.deadLettered);
    metrics.addMetric('Filtered', MetricUnit.Count, batch.outcomes.filtered);
    metrics.addMetric('Retry', MetricUnit.Count, batch.outcomes.retry);
    metrics.addMetric('Failed', MetricUnit.Count, batch.outcomes.failed);
    if (batch.produceLatencyMs !== undefined) {
      metrics.addMetric('ProduceLatency', MetricUnit.Milliseconds, batch.produceLatencyMs);
    }
    for (const [eventType, count] of batch.outcomes.producedByType) {
      const single = metrics.singleMetric();
      single.addDimension('eventType', eventType);
      single.addMetric('EventsProduced', MetricUnit.Count, count);
    }
    for (const [status, count] of batch.metadataStatuses) {
      const single = metrics.singleMetric();
      single.addDimension('metadataStatus', status);
      single.addMetric('Enrichment', MetricUnit.Count, count);
    }
  }

  flush(): void {
    this.#metrics.publishStoredMetrics();
  }
}
