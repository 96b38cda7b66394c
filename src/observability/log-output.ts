/**
 * Where and how log lines are written. In the Lambda and under `serve` they are Powertools' structured
 * JSON (CloudWatch parses it); a person running a command at a terminal gets one readable line per
 * message on stderr instead, unless `--log-format json` (or SES_KAFKA_LOG_FORMAT=json) asks for JSON.
 */

import type { LogItem } from '@aws-lambda-powertools/logger';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LOG_FORMATS } from '../config/settings.ts';
import { redactText } from './redact.ts';

export type LogFormat = (typeof LOG_FORMATS)[number];

/** Keys every line carries that say nothing to a person reading one command's output. */
const SERVICE_KEYS = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'xray_trace_id']);

/** Human lines pass through the same redaction as JSON ones: every string of every value. */
function humanValue(value: unknown): string {
  if (typeof value === 'string') {
    const redacted = redactText(value);
    return /\s/.test(redacted) ? JSON.stringify(redacted) : redacted;
  }
  return JSON.stringify(value, (_key, inner: unknown) =>
    typeof inner === 'string' ? redactText(inner) : inner,
  );
}

/** `warning: Kafka producer dropped after a failure (code=KAFKA_UNAVAILABLE, retriable=true)` */
export function humanLogLine(attributes: Record<string, unknown>): string {
  const level = String(attributes.level ?? 'INFO').toLowerCase();
  const label = level === 'warn' ? 'warning' : level === 'critical' ? 'error' : level;
  const details = Object.entries(attributes)
    .filter(([key, value]) => !SERVICE_KEYS.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${humanValue(value)}`);
  return `${label}: ${redactText(String(attributes.message ?? ''))}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

/** Powertools' logger, writing human lines to stderr while the format is `human`. */
export class ProjectLogger extends Logger {
  #format: LogFormat = 'json';

  setLogFormat(format: LogFormat): void {
    this.#format = format;
  }

  get logFormat(): LogFormat {
    return this.#format;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (this.#format === 'json') {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    process.stderr.write(`${humanLogLine(log.getAttributes() as Record<string, unknown>)}\n`);
  }
}
