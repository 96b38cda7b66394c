/** Reads what the report shows from a DuckDB warehouse file (read-only, through the rate views). */
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { WarehouseError } from '../errors.ts';
import { DECODE_ERRORS_TABLE, EVENT_MIX_VIEW, EVENTS_TABLE, RATE_VIEWS, RECIPIENTS_TABLE } from '../model.ts';

export interface DailyMixRow {
  day: string;
  eventType: string;
  events: number;
}

export interface RateRow {
  /** The day, sender or campaign the row is about. */
  group: string;
  attempted: number;
  delivered: number;
  bounced: number;
  hardBounced: number;
  complained: number;
  deliveryRate: number | null;
  bounceRate: number | null;
  complaintRate: number | null;
}

export interface CountRow {
  name: string;
  count: number;
}

export interface ReportData {
  source: string;
  generatedAt: string;
  totalEvents: number;
  decodeErrors: number;
  eventsByType: CountRow[];
  dailyMix: DailyMixRow[];
  dailyRates: RateRow[];
  senderRates: RateRow[];
  campaignRates: RateRow[];
  topBouncingDomains: CountRow[];
  enrichmentCoverage: CountRow[];
}

type Row = Record<string, unknown>;

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

function rateOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toRate(row: Row, groupColumn: string): RateRow {
  return {
    group: String(row[groupColumn] ?? '(unknown)'),
    attempted: num(row.attempted),
    delivered: num(row.delivered),
    bounced: num(row.bounced),
    hardBounced: num(row.hard_bounced),
    complained: num(row.complained),
    deliveryRate: rateOrNull(row.delivery_rate),
    bounceRate: rateOrNull(row.bounce_rate),
    complaintRate: rateOrNull(row.complaint_rate),
  };
}

/** Top-N limits keep the report readable with many senders, campaigns or domains. */
export const TOP_LIMIT = 10;

export async function readReportData(dbFile: string, now: Date = new Date()): Promise<ReportData> {
  const path = resolve(dbFile);
  try {
    await access(path);
  } catch {
    throw new WarehouseError(
      'WAREHOUSE_NOT_FOUND',
      `--db: no DuckDB warehouse at ${path}; fill one first with \`ses-kafka consume --to duckdb --out ${dbFile}\``,
    );
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  } catch (error) {
    const reason = (error as Error).message;
    const hint = /lock/i.test(reason)
      ? ' (a running `consume --to duckdb` holds the file; stop it or report on a copy)'
      : '';
    throw new WarehouseError('WAREHOUSE_DUCKDB_OPEN_FAILED', `--db: cannot open ${path}: ${reason}${hint}`, {
      cause: error,
    });
  }
  const connection = await instance.connect();
  const query = async (sql: string): Promise<Row[]> =>
    (await connection.runAndReadAll(sql)).getRowObjectsJson() as Row[];
  try {
    const [totals] = await query(
      `SELECT (SELECT COUNT(*) FROM ${EVENTS_TABLE}) AS events, (SELECT COUNT(*) FROM ${DECODE_ERRORS_TABLE}) AS errors`,
    );
    const eventsByType = await query(
      `SELECT COALESCE(event_type, '(none)') AS name, COUNT(*) AS count FROM ${EVENTS_TABLE} GROUP BY 1 ORDER BY 2 DESC, 1`,
    );
    const dailyMix = await query(
      `SELECT CAST(day AS VARCHAR) AS day, COALESCE(event_type, '(none)') AS event_type, events FROM ${EVENT_MIX_VIEW} WHERE day IS NOT NULL ORDER BY day, event_type`,
    );
    const dailyRates = await query(
      `SELECT CAST(day AS VARCHAR) AS day, * EXCLUDE (day) FROM ${RATE_VIEWS.byDay} WHERE day IS NOT NULL ORDER BY day`,
    );
    const senderRates = await query(
      `SELECT * FROM ${RATE_VIEWS.bySender} ORDER BY attempted DESC, sender LIMIT ${TOP_LIMIT}`,
    );
    const campaignRates = await query(
      `SELECT * FROM ${RATE_VIEWS.byCampaign} ORDER BY attempted DESC, campaign LIMIT ${TOP_LIMIT}`,
    );
    const domains = await query(
      `SELECT COALESCE(recipient_domain, '(unknown)') AS name, COUNT(*) AS count FROM ${RECIPIENTS_TABLE} WHERE role = 'bounced' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_LIMIT}`,
    );
    const coverage = await query(
      `SELECT COALESCE(metadata_status, '(absent)') AS name, COUNT(*) AS count FROM ${EVENTS_TABLE} GROUP BY 1 ORDER BY 1`,
    );
    const counts = (rows: Row[]): CountRow[] =>
      rows.map((row) => ({ name: String(row.name), count: num(row.count) }));
    return {
      source: path,
      generatedAt: now.toISOString(),
      totalEvents: num(totals?.events),
      decodeErrors: num(totals?.errors),
      eventsByType: counts(eventsByType),
      dailyMix: dailyMix.map((row) => ({
        day: String(row.day),
        eventType: String(row.event_type),
        events: num(row.events),
      })),
      dailyRates: dailyRates.map((row) => toRate(row, 'day')),
      senderRates: senderRates.map((row) => toRate(row, 'sender')),
      campaignRates: campaignRates.map((row) => toRate(row, 'campaign')),
      topBouncingDomains: counts(domains),
      enrichmentCoverage: counts(coverage),
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
