/**
 * Where the Parquet sink's finished files go: a local folder or an S3 prefix. Both make a file visible
 * only when it is complete: locally by renaming it into place (after fsync), on S3 by one PutObject
 * (an object appears whole or not at all).
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';

export interface LakeStore {
  /** e.g. `/data/lake` or `s3://bucket/prefix`; never holds credentials. */
  readonly description: string;
  /** A local folder on the same file system as the store (for local stores), for files being written. */
  readonly stagingRoot: string;
  /** Publishes a complete local file under `key` (a relative path with `/`); resolves once durable. */
  put(localFile: string, key: string): Promise<void>;
  /** Keys of every file under `folder` (relative to the store root). */
  list(folder: string): Promise<string[]>;
  remove(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

async function fsyncPath(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function walk(root: string, folder: string): Promise<string[]> {
  const found: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(root, path)));
    else if (entry.isFile()) found.push(relative(root, path).split(sep).join('/'));
  }
  return found;
}

export class LocalLakeStore implements LakeStore {
  readonly description: string;
  readonly stagingRoot: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
    this.description = this.#root;
    // Dot-prefixed: Spark, Hive, Athena and DuckDB globs over the table folders never see it.
    this.stagingRoot = join(this.#root, '.staging');
  }

  async put(localFile: string, key: string): Promise<void> {
    const target = join(this.#root, ...key.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await fsyncPath(localFile, 'r+');
    await rename(localFile, target);
    // The rename itself is durable only once the folder holding the new name is synced.
    await fsyncPath(dirname(target), 'r');
  }

  list(folder: string): Promise<string[]> {
    return walk(this.#root, join(this.#root, ...folder.split('/')));
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) await rm(join(this.#root, ...key.split('/')), { force: true });
  }

  async close(): Promise<void> {
    // Removed only when empty: other consumers of the group may be staging files in it right now.
    await rmdir(this.stagingRoot).catch(() => undefined);
  }
}

export interface S3Location {
  bucket: string;
  /** Without leading or trailing slash; may be empty. */
  prefix: string;
}

/** s3://bucket/some/prefix -> { bucket, prefix }; undefined for anything else. */
export function parseS3Url(url: string): S3Location | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) return undefined;
  return { bucket: match[1] as string, prefix: (match[2] as string).replace(/^\/+|\/+$/g, '') };
}

export class S3LakeStore implements LakeStore {
  readonly description: string;
  readonly stagingRoot: string;
  readonly #client: S3Client;
  readonly #location: S3Location;

  constructor(location: S3Location, stagingRoot: string, config: S3ClientConfig = {}) {
    this.#location = location;
    this.description = `s3://${location.bucket}/${location.prefix}`;
    this.stagingRoot = stagingRoot;
    this.#client = new S3Client(config);
  }

  #key(key: string): string {
    return this.#location.prefix === '' ? key : `${this.#location.prefix}/${key}`;
  }

  async put(localFile: string, key: string): Promise<void> {
    const { size } = await stat(localFile);
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#location.bucket,
        Key: this.#key(key),
        Body: createReadStream(localFile),
        ContentLength: size,
        ContentType: 'application/vnd.apache.parquet',
      }),
    );
    await rm(localFile, { force: true });
  }

  async list(folder: string): Promise<string[]> {
    const prefix = `${this.#key(folder)}/`;
    const strip = this.#location.prefix === '' ? 0 : this.#location.prefix.length + 1;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#location.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key.slice(strip));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      const chunk = keys.slice(start, start + 1000);
      await this.#client.send(
        new DeleteObjectsCommand({
          Bucket: this.#location.bucket,
          Delete: { Objects: chunk.map((key) => ({ Key: this.#key(key) })), Quiet: true },
        }),
      );
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
    await rm(this.stagingRoot, { recursive: true, force: true });
  }
}
