/** The warehouse side: consumer, sinks and report. */
export {
  type ConsumeOptions,
  type ConsumeProgress,
  type ConsumeSummary,
  type RecordDecoder,
  runConsumer,
  type StopReason,
} from './consumer.ts';
export { DuckDbSink } from './duckdb-sink.ts';
export { WarehouseError } from './errors.ts';
export { decodeErrorsPathFor, JsonlSink } from './jsonl-sink.ts';
export * from './model.ts';
export { decodeErrorsLocation, openSink, type SinkOptions } from './open-sink.ts';
export { PostgresSink, type PostgresSinkOptions } from './postgres-sink.ts';
export { type ReportData, readReportData } from './report/data.ts';
export { renderReportHtml } from './report/html.ts';
export { writeReport } from './report/write.ts';
export {
  DEFAULT_CAMPAIGN_KEYS,
  type RecordOrigin,
  type RowMappingOptions,
  toWarehouseEvent,
} from './rows.ts';
export { SINK_KINDS, type Sink, type SinkKind } from './sink.ts';
export { SES_BOUNCE_REVIEW_THRESHOLD, SES_COMPLAINT_REVIEW_THRESHOLD } from './sql/views.ts';
