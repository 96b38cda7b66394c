/**
 * `replay s3://bucket/prefix/`: the objects under a prefix, listed page by page in key order (which for
 * Firehose's `YYYY/MM/DD/HH/` keys is time order) and streamed one at a time with GetObject, so neither
 * the listing nor an object is ever held whole.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, paginateListObjectsV2, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { describeError } from '../errors.ts';
import type { ArchiveObject } from './archive.ts';
import { type S3Location, S3SourceError, type S3SourceSettings, s3ObjectLabel } from './s3-location.ts';

export function createS3Client(settings: S3SourceSettings): S3Client {
  const config: S3ClientConfig = { forcePathStyle: settings.forcePathStyle };
  if (settings.region !== undefined) config.region = settings.region;
  if (settings.endpoint !== undefined) config.endpoint = settings.endpoint;
  return new S3Client(config);
}

function explain(location: S3Location, error: unknown): S3SourceError {
  const name = (error as { name?: string }).name ?? '';
  const where = `s3://${location.bucket}/${location.prefix}`;
  if (name === 'NoSuchBucket') {
    return new S3SourceError(`${where}: bucket "${location.bucket}" does not exist`, true, { cause: error });
  }
  if (name === 'AccessDenied' || name === 'Forbidden' || name === 'InvalidAccessKeyId') {
    return new S3SourceError(
      `${where}: S3 refused to list it (${name}); the credentials need s3:ListBucket on the bucket and s3:GetObject on the objects`,
      false,
      { cause: error },
    );
  }
  return new S3SourceError(`${where}: cannot list the objects (${describeError(error)})`, false, {
    cause: error,
  });
}

export interface ListedS3Object {
  key: string;
  size: number;
}

/**
 * The objects under the prefix in key order, one page (1,000 keys) at a time. Keys ending in `/` are
 * folder markers, not objects. `startAfter` skips every key up to and including it.
 */
export async function* listS3Objects(
  client: S3Client,
  location: S3Location,
  startAfter?: string,
): AsyncGenerator<ListedS3Object> {
  const pages = paginateListObjectsV2(
    { client, pageSize: 1000 },
    {
      Bucket: location.bucket,
      Prefix: location.prefix,
      ...(startAfter === undefined ? {} : { StartAfter: startAfter }),
    },
  );
  try {
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || object.Key.endsWith('/')) continue;
        yield { key: object.Key, size: object.Size ?? 0 };
      }
    }
  } catch (error) {
    throw explain(location, error);
  }
}

/** One listed object as replay reads it: GetObject's body, streamed. */
export function s3ArchiveObject(client: S3Client, bucket: string, listed: ListedS3Object): ArchiveObject {
  return {
    label: s3ObjectLabel(bucket, listed.key),
    size: listed.size,
    retryable: true,
    open: async () => {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: listed.key }));
      if (response.Body === undefined) throw new Error('GetObject returned no body');
      return response.Body as Readable;
    },
  };
}
