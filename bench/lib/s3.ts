/**
 * A bucket on the local stack's moto S3 for the replay benchmark: created with a unique name, filled
 * with Firehose-style objects, and removed afterwards with everything in it.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../src/stack/endpoints.ts';
import { endpoints } from './stack.ts';

export class BenchBucket {
  readonly #client = new S3Client({
    endpoint: endpoints.s3Endpoint,
    region: LOCAL_AWS_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    forcePathStyle: true,
  });

  constructor(readonly name: string) {}

  async create(): Promise<void> {
    await this.#client.send(new CreateBucketCommand({ Bucket: this.name }));
  }

  async put(key: string, body: Buffer): Promise<void> {
    await this.#client.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: body }));
  }

  /** Best effort, like the other benchmarks' clean-up: a leftover bucket on the local stack harms nobody. */
  async delete(): Promise<void> {
    try {
      for await (const page of paginateListObjectsV2({ client: this.#client }, { Bucket: this.name })) {
        const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key as string }));
        if (keys.length > 0) {
          await this.#client.send(new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects: keys } }));
        }
      }
      await this.#client.send(new DeleteBucketCommand({ Bucket: this.name }));
    } catch {
      // As above.
    } finally {
      this.#client.destroy();
    }
  }
}
