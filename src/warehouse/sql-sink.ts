/** What the DuckDB and PostgreSQL sinks share: one transaction per batch, the same upsert statements. */
import { DECODE_ERRORS, EVENTS, RECIPIENTS, type SinkBatch } from './model.ts';
import { type UpsertStatement, upsertStatements } from './sql/upsert.ts';

export function batchStatements(batch: SinkBatch): UpsertStatement[] {
  return [
    ...upsertStatements(
      EVENTS,
      batch.events.map((item) => item.event),
    ),
    ...upsertStatements(
      RECIPIENTS,
      batch.events.flatMap((item) => item.recipients),
    ),
    ...upsertStatements(DECODE_ERRORS, batch.decodeErrors),
  ];
}
