import { readSetting } from '../config/settings.ts';
import { ProjectLogger } from './log-output.ts';
import { piiLoggingEnabled, redactText } from './redact.ts';

/**
 * One structured JSON logger for every entry point. Email addresses and subjects never go into log
 * lines unless SES_KAFKA_LOG_PII=true: every string of every line is redacted as it is written, and
 * error messages that leave the process another way go through `redactEmail` / `redactText`.
 */
export const logger = new ProjectLogger({
  serviceName: readSetting(process.env, 'serviceName') as string,
  logLevel: readSetting(process.env, 'logLevel') as 'INFO',
  // Every string of every line passes here, so whatever a call site forgets to redact is redacted.
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === 'string' ? redactText(value) : value),
});

export { piiLoggingEnabled };

/** The one redaction function (src/observability/redact.ts), under the name existing callers use. */
export function redactEmail(text: string): string {
  return redactText(text);
}
