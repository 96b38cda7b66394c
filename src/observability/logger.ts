import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger for every entry point. Email addresses and subjects never go into log
 * lines unless SES_KAFKA_LOG_PII=true; call `redactEmail` on anything that may hold one.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ses-kafka-producer',
  logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'INFO') as 'INFO',
});

export function piiLoggingEnabled(): boolean {
  return process.env.SES_KAFKA_LOG_PII === 'true';
}

const EMAIL_PATTERN = /[^\s<>"',;:@]+@[^\s<>"',;:@]+/g;

/** Replaces each email address with `<redacted>`, unless PII logging was switched on for debugging. */
export function redactEmail(text: string): string {
  return piiLoggingEnabled() ? text : text.replace(EMAIL_PATTERN, '<redacted>');
}
