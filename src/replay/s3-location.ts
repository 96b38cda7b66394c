/**
 * S3 targets as replay names them, kept apart from the S3 client (src/replay/s3-source.ts) so that a
 * replay of local files never loads the AWS SDK's S3 client.
 */

export interface S3Location {
  bucket: string;
  prefix: string;
}

/** `s3://bucket/prefix` → bucket and prefix (the prefix may be empty: the whole bucket). */
export function parseS3Url(target: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(target);
  if (!match) return undefined;
  return { bucket: match[1] as string, prefix: match[2] ?? '' };
}

export function s3ObjectLabel(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

export interface S3SourceSettings {
  region?: string;
  /** An endpoint override: moto locally, an S3-compatible store. */
  endpoint?: string;
  forcePathStyle: boolean;
}

/** Listing or reading S3 failed in a way that says something about the command line or the account. */
export class S3SourceError extends Error {
  override readonly name = 'S3SourceError';
  constructor(
    message: string,
    /** True when the target itself is wrong (no such bucket), so nothing was attempted. */
    readonly usage: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
