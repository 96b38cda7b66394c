/**
 * `--since` / `--until`: which archive objects belong to a time window, judged by the date in their key.
 * Firehose writes objects under `<prefix>YYYY/MM/DD/HH/` (UTC, the time the buffer was delivered), or
 * under a custom prefix such as `year=YYYY/month=MM/day=DD/hour=HH/`. The window filters whole objects by
 * that path; it does not look inside them, so an object delivered just after `--until` that holds events
 * from just before it is left out, as Firehose's own partitioning would.
 */

export interface TimeWindow {
  /** Inclusive, epoch milliseconds. */
  since?: number;
  /** Exclusive, epoch milliseconds. */
  until?: number;
}

/** The hour (or day) an object's key places it in: [start, end) in epoch milliseconds. */
export interface KeySpan {
  start: number;
  end: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// YYYY/MM/DD[/HH] as whole path segments, or Hive-style year=/month=/day=[/hour=].
const SLASHED = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})(?:\/(\d{2}))?(?=\/|$)/;
const HIVE = /(?:^|\/)year=(\d{4})\/month=(\d{1,2})\/day=(\d{1,2})(?:\/hour=(\d{1,2}))?(?=\/|$)/;

function validSpan(year: string, month: string, day: string, hour: string | undefined): KeySpan | undefined {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  const h = hour === undefined ? undefined : Number(hour);
  if (m < 1 || m > 12 || d < 1 || d > 31 || (h !== undefined && h > 23)) return undefined;
  const start = Date.UTC(y, m - 1, d, h ?? 0);
  // Date.UTC rolls 31 April into May; such a path is not a date.
  if (new Date(start).getUTCDate() !== d) return undefined;
  return { start, end: start + (h === undefined ? DAY_MS : HOUR_MS) };
}

/**
 * The span of the date path in `key`, or undefined when it has none. When there are several, the last
 * wins: Firehose's time partition is the innermost folder.
 */
export function keySpan(key: string): KeySpan | undefined {
  let found: KeySpan | undefined;
  for (const pattern of [SLASHED, HIVE]) {
    const global = new RegExp(pattern.source, 'g');
    for (const match of key.matchAll(global)) {
      const span = validSpan(match[1] as string, match[2] as string, match[3] as string, match[4]);
      if (span !== undefined) found = span;
    }
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Whether an object whose key spans `span` may hold events of the window. */
export function overlaps(span: KeySpan, window: TimeWindow): boolean {
  return (
    (window.since === undefined || span.end > window.since) &&
    (window.until === undefined || span.start < window.until)
  );
}

/**
 * A `--since`/`--until` value: a date (`2026-11-01`), a date and hour (`2026-11-01T05`), or a full
 * ISO-8601 time; UTC unless it carries its own offset. Returns epoch milliseconds, or throws with what
 * was expected.
 */
export function parseWindowTime(flag: string, raw: string): number {
  const value = raw.trim();
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const dateHour = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/.exec(value);
  const match = dateOnly ?? dateHour;
  if (match) {
    const span = validSpan(match[1] as string, match[2] as string, match[3] as string, match[4]);
    if (span !== undefined) return span.start;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    const withZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
    const parsed = Date.parse(withZone);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw new Error(
    `${flag}: expected a UTC date such as 2026-11-01, a date and hour such as 2026-11-01T05, or an ISO-8601 time, got "${raw}"`,
  );
}
