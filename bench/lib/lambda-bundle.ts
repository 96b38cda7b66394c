/**
 * The packaged Lambda as the cold-start and memory benchmarks run it: `packageLambda()` into a temp
 * folder, the zip extracted as Lambda would, and fresh `node` processes that import and invoke it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { packageLambda } from '../../scripts/package-lambda.ts';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'children', 'lambda-child.mjs');
const execFileAsync = promisify(execFile);

export interface ExtractedBundle {
  /** Holds lambda.mjs, its chunks and the schemas, as Lambda unpacks the zip. */
  dir: string;
  /** Scratch space for event files; removed by `dispose`. */
  work: string;
  zipBytes: number;
  bundleBytes: number;
  dispose(): void;
}

export async function packageAndExtract(): Promise<ExtractedBundle> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ses-bench-lambda-'));
  const packaged = await packageLambda({ outDir: path.join(work, 'dist') });
  const dir = path.join(work, 'extracted');
  for (const [name, bytes] of Object.entries(unzipSync(readFileSync(packaged.zipPath)))) {
    const target = path.join(dir, name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  return {
    dir,
    work,
    zipBytes: packaged.zipBytes,
    bundleBytes: packaged.bundleBytes,
    dispose: () => rmSync(work, { recursive: true, force: true }),
  };
}

export interface ChildResult {
  initMs: number;
  processUptimeAtReadyMs: number;
  maxRssMiB: number;
  events?: number;
  rssBeforeInvokeMiB?: number;
  maxRssBeforeInvokeMiB?: number;
  firstInvocationMs?: number;
  redelivered?: number;
}

/**
 * The V8 heap flags the Lambda Node.js runtime's bootstrap starts node with for a function of this
 * memory size: a tenth of it for the young generation (half of that per semi-space), the rest for the
 * old generation. A 128 MB function gets `--max-semi-space-size=6 --max-old-space-size=116`.
 */
export function lambdaHeapFlags(memoryMiB: number): string[] {
  const newSpace = Math.floor(memoryMiB / 10);
  return [
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMiB - newSpace}`,
  ];
}

/**
 * `init` only imports the bundle; `invoke` also runs sqsHandler once on the event in `eventFile`.
 * `nodeFlags` go before the child script, e.g. `lambdaHeapFlags(128)`.
 */
export async function runLambdaChild(
  bundle: ExtractedBundle,
  mode: 'init' | 'invoke',
  env: Record<string, string>,
  eventFile?: string,
  nodeFlags: readonly string[] = [],
): Promise<ChildResult> {
  const args = [...nodeFlags, CHILD, mode, bundle.dir, ...(eventFile === undefined ? [] : [eventFile])];
  // Only what node needs plus the pipeline's settings: nothing else from the bench's environment leaks in.
  const { stdout, stderr } = await execFileAsync(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  const line = stdout.split('\n').find((text) => text.startsWith('BENCH_RESULT '));
  if (line === undefined) {
    throw new Error(`the Lambda child printed no result:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`);
  }
  const result = JSON.parse(line.slice('BENCH_RESULT '.length)) as ChildResult;
  if ((result.redelivered ?? 0) > 0) {
    const warning =
      `${stdout}\n${stderr}`.split('\n').find((text) => text.includes('handed back for redelivery')) ?? '';
    throw new Error(
      `the Lambda handed ${result.redelivered} events back for redelivery; is the stack healthy? first: ${warning.slice(0, 600)}`,
    );
  }
  return result;
}
