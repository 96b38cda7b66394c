import { needsRedelivery, type Pipeline, type PipelineInput, type PipelineResult } from '../pipeline.ts';
import type { KafkaRecord } from '../record.ts';
import { type InputSource, toPipelineInputs } from './read-inputs.ts';

export interface ReplayCounts {
  inputs: number;
  produced: number;
  filtered: number;
  deadLettered: number;
  /** Inputs that were not written and must be replayed again (retriable or failed). */
  notWritten: number;
}

export interface NotWrittenInput {
  id: string;
  raw: string;
  code: string;
  message: string;
}

export interface ReplayReport {
  counts: ReplayCounts;
  notWritten: NotWrittenInput[];
  /** Sources that could not be read at all (missing file, permissions). */
  unreadable: Array<{ label: string; message: string }>;
}

export interface ReplayOptions {
  batchSize: number;
  /** Run the stages before serialization only, and hand each would-be record to `onRecord`. */
  dryRun?: boolean;
  onRecord?: (record: KafkaRecord, id: string) => void;
  onProgress?: (counts: ReplayCounts, total: number) => void;
  /** How long Kafka may take per batch. */
  batchTimeoutMs?: number;
}

function emptyCounts(): ReplayCounts {
  return { inputs: 0, produced: 0, filtered: 0, deadLettered: 0, notWritten: 0 };
}

function tally(counts: ReplayCounts, result: PipelineResult): void {
  counts.inputs++;
  const kind = result.disposition.kind;
  if (kind === 'produced') counts.produced++;
  else if (kind === 'filtered') counts.filtered++;
  else if (kind === 'dead-lettered') counts.deadLettered++;
  else counts.notWritten++;
}

/**
 * Feeds archived SES events (SNS/SQS/SES JSON or NDJSON) through the same pipeline as the Lambda, in
 * batches. Inputs that could not be written are collected with their raw payload so they can be
 * replayed again; nothing is dropped silently.
 */
export async function replay(
  pipeline: Pipeline,
  sources: readonly InputSource[],
  options: ReplayOptions,
): Promise<ReplayReport> {
  const report: ReplayReport = { counts: emptyCounts(), notWritten: [], unreadable: [] };
  const inputs: PipelineInput[] = [];
  for (const source of sources) {
    try {
      inputs.push(...toPipelineInputs(source.label, await source.text()));
    } catch (error) {
      report.unreadable.push({ label: source.label, message: (error as Error).message });
    }
  }
  const total = inputs.length;
  options.onProgress?.(report.counts, total);
  for (let start = 0; start < inputs.length; start += options.batchSize) {
    const batch = inputs.slice(start, start + options.batchSize);
    const inputById = new Map(batch.map((input) => [input.id, input]));
    const results: PipelineResult[] = options.dryRun
      ? (await pipeline.preview(batch)).map((preview) => {
          if (preview.record) options.onRecord?.(preview.record, preview.id);
          return {
            id: preview.id,
            disposition: preview.disposition ?? {
              kind: 'produced',
              eventId: '',
              eventType: '',
              topic: preview.record?.topic ?? '',
            },
          };
        })
      : await pipeline.process(batch, Date.now() + (options.batchTimeoutMs ?? 60_000));
    for (const result of results) {
      tally(report.counts, result);
      if (needsRedelivery(result) && 'error' in result.disposition) {
        report.notWritten.push({
          id: result.id,
          raw: inputById.get(result.id)?.parsed.raw ?? '',
          code: result.disposition.error.code,
          message: result.disposition.error.message,
        });
      }
    }
    options.onProgress?.(report.counts, total);
  }
  return report;
}

/** JSON for a record as the transform CLI prints it: bytes as base64, everything else as is. */
export function recordToJson(record: KafkaRecord): string {
  return JSON.stringify(record, (_key, value: unknown) => {
    if (
      value &&
      typeof value === 'object' &&
      (value as { type?: unknown }).type === 'Buffer' &&
      Array.isArray((value as { data?: unknown }).data)
    ) {
      return Buffer.from((value as { data: number[] }).data).toString('base64');
    }
    return typeof value === 'bigint' ? value.toString() : value;
  });
}
