import type { PipelineError } from '../errors.ts';
import type { EmailMetadata } from './metadata.ts';

/** One email to enrich. The caller picks `requestId` (e.g. the event id); results are keyed by it. */
export interface MetadataRequest {
  requestId: string;
  /** `mail.messageId`. */
  messageId: string;
  /** The bare sender address parsed from `mail.source`; absent when the source had no address. */
  sourceAddress?: string | undefined;
  /** `mail.timestamp`: when SES accepted the email; the not-found policy measures age from it. */
  timestamp: Date;
}

/**
 * Per-request outcome: metadata to publish (FOUND, NOT_FOUND, SKIPPED), or an error with stage `enrich`
 * whose `retriable` flag tells the caller whether redelivery can help. An error never means "publish
 * without metadata": the caller retries or dead-letters that event.
 */
export type MetadataResult = EmailMetadata | PipelineError;

/** The enrichment port. One failing email never fails the others: errors come back per request. */
export interface MetadataStore {
  lookupMany(requests: readonly MetadataRequest[]): Promise<Map<string, MetadataResult>>;
}
