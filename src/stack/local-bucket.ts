/**
 * A bucket on the local stack's moto S3, for the tests and benchmarks that replay archives from S3:
 * created with the caller's unique name, filled with objects, and removed afterwards (objects first:
 * S3 refuses to delete a bucket that holds any).
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, stackEndpoints } from './endpoints.ts';

export class LocalBucket {
  readonly client = new S3Client({
    endpoint: stackEndpoints().s3Endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    // moto serves every bucket on one host, so the bucket goes in the path.
    forcePathStyle: true,
  });

  constructor(readonly name: string) {}

  async create(): Promise<void> {
    await this.client.send(new CreateBucketCommand({ Bucket: this.name }));
  }

  async put(key: string, body: string | Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: body }));
  }

  /** Empties and deletes the bucket, then closes the client; throws if S3 refuses. */
  async delete(): Promise<void> {
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.name })) {
        const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key as string }));
        if (keys.length > 0) {
          await this.client.send(new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects: keys } }));
        }
      }
      await this.client.send(new DeleteBucketCommand({ Bucket: this.name }));
    } finally {
      this.client.destroy();
    }
  }
}
