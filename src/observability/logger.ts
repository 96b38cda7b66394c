import { readSetting } from '../config/settings.ts';
import { ProjectLogger } from './log-output.ts';

/**
 * One structured JSON logger for every entry point. Email addresses and subjects never go into log
 * lines unless SES_KAFKA_LOG_PII=true; call `redactEmail` on anything that may hold one.
 */
export const logger = new ProjectLogger({
  serviceName: readSetting(process.env, 'serviceName') as string,
  logLevel: readSetting(process.env, 'logLevel') as 'INFO',
});

export function piiLoggingEnabled(): boolean {
  return readSetting(process.env, 'logPii') === true;
}

const EMAIL_PATTERN = /[^\s<>"',;:@]+@[^\s<>"',;:@]+/g;

/** Replaces each email address with `<redacted>`, unless PII logging was switched on for debugging. */
export function redactEmail(text: string): string {
  return piiLoggingEnabled() ? text : text.replace(EMAIL_PATTERN, '<redacted>');
}
