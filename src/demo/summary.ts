import { DuckDBInstance } from '@duckdb/node-api';

export interface SummaryRow {
  [column: string]: string | number;
}

export interface WarehouseSummary {
  byEventType: SummaryRow[];
  bySender: SummaryRow[];
  /** Events per `source.envelope`: the door each event came through. */
  byDoor: SummaryRow[];
}

async function rows(
  connection: Awaited<ReturnType<DuckDBInstance['connect']>>,
  sql: string,
): Promise<SummaryRow[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as SummaryRow[];
}

/** Counts and rates from the DuckDB warehouse that `npm start` loaded. */
export async function readWarehouseSummary(dbFile: string): Promise<WarehouseSummary> {
  const instance = await DuckDBInstance.create(dbFile, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const byEventType = await rows(
      connection,
      `SELECT event_type AS "event type", COUNT(*) AS events,
         COUNT(*) FILTER (WHERE metadata_status = 'FOUND') AS enriched
       FROM ses_events GROUP BY event_type ORDER BY events DESC`,
    );
    const bySender = await rows(
      connection,
      `WITH per_sender AS (
         SELECT source_address AS sender,
           COUNT(*) FILTER (WHERE event_type = 'Send') AS sent,
           COUNT(*) FILTER (WHERE event_type = 'Delivery') AS delivered,
           COUNT(*) FILTER (WHERE event_type = 'Bounce') AS bounces,
           COUNT(*) FILTER (WHERE event_type = 'Complaint') AS complaints,
           COUNT(*) FILTER (WHERE event_type = 'Open') AS opens
         FROM ses_events GROUP BY source_address)
       SELECT sender, sent, delivered, bounces, complaints, opens,
         printf('%.2f%%', 100.0 * bounces / NULLIF(sent, 0)) AS "bounce rate",
         printf('%.2f%%', 100.0 * complaints / NULLIF(delivered, 0)) AS "complaint rate"
       FROM per_sender ORDER BY sent DESC`,
    );
    const byDoor = await rows(
      connection,
      `SELECT envelope, COUNT(*) AS events,
         COUNT(*) FILTER (WHERE metadata_status = 'FOUND') AS enriched
       FROM ses_events GROUP BY envelope ORDER BY events DESC`,
    );
    return { byEventType, bySender, byDoor };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
