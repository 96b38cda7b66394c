/**
 * Benchmark 3: cold start of the packaged Lambda. Bundle size (zipped, as deployed), module init time of
 * the bundled handler in fresh `node` processes (the import of lambda.mjs from an extracted copy of the
 * zip), and the first invocation's latency against the local stack.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchStream, sqsRecord } from './lib/events.ts';
import { type ChildResult, packageAndExtract, runLambdaChild } from './lib/lambda-bundle.ts';
import type { BenchContext, Benchmark, BenchReport } from './lib/report.ts';
import {
  benchEnv,
  createTopics,
  deleteTable,
  deleteTopics,
  requireStack,
  seedTable,
  uniqueName,
} from './lib/stack.ts';
import { fmt, fmtBytes, maximum, median, minimum } from './lib/stats.ts';

const ZIP_BUDGET_BYTES = 2 * 1024 * 1024;
const INIT_BUDGET_MS = 250;

async function run(context: BenchContext): Promise<BenchReport> {
  await requireStack(['kafka', 'registry', 'dynamodb']);
  const initRuns = context.runs ?? (context.quick ? 2 : 9);
  const invokeRuns = context.quick ? 1 : Math.max(3, Math.ceil(initRuns / 3));
  const table = uniqueName('ses-bench-cold');
  const topic = uniqueName('ses-bench-cold');
  const dlqTopic = `${topic}-dlq`;
  const packaged = await packageAndExtract();
  try {
    const stream = benchStream(10 * invokeRuns, 23);
    await seedTable(table, stream.metadataRows);
    await createTopics([topic, dlqTopic]);
    const env = benchEnv({ topic, dlqTopic, table });

    const inits: number[] = [];
    for (let index = 0; index < initRuns; index++) {
      inits.push((await runLambdaChild(packaged, 'init', env)).initMs);
    }
    const invocations: ChildResult[] = [];
    for (let index = 0; index < invokeRuns; index++) {
      const eventFile = path.join(packaged.work, `event-${index}.json`);
      const records = stream.messages
        .slice(index * 10, index * 10 + 10)
        .map((message, n) => sqsRecord(message, `cold-${index}-${n}`));
      writeFileSync(eventFile, JSON.stringify({ Records: records }));
      invocations.push(await runLambdaChild(packaged, 'invoke', env, eventFile));
    }
    const initMs = median(inits);
    const firstMs = median(invocations.map((result) => result.firstInvocationMs ?? Number.NaN));
    const invokeInitMs = median(invocations.map((result) => result.initMs));
    return {
      name: 'cold-start',
      title: 'Cold start of the packaged Lambda (dist/lambda.zip)',
      method: `packageLambda() into a temp folder, the zip extracted; init = time to import lambda.mjs in a fresh node ${process.version} process (median of ${initRuns}); first invocation = one SQS batch of 10 events through sqsHandler against the local stack, in ${invokeRuns} further fresh processes.`,
      table: [
        ['', 'median', 'min', 'max'],
        ['zipped bundle', fmtBytes(packaged.zipBytes), '', ''],
        ['lambda.mjs + chunks (unzipped)', fmtBytes(packaged.bundleBytes), '', ''],
        ['module init (import), ms', fmt(initMs), fmt(minimum(inits)), fmt(maximum(inits))],
        [
          'first invocation (10 events), ms',
          fmt(firstMs),
          fmt(minimum(invocations.map((r) => r.firstInvocationMs ?? Number.NaN))),
          fmt(maximum(invocations.map((r) => r.firstInvocationMs ?? Number.NaN))),
        ],
      ],
      metrics: {
        zipBytes: packaged.zipBytes,
        bundleBytes: packaged.bundleBytes,
        initMsMedian: initMs,
        initMsMin: minimum(inits),
        firstInvocationMsMedian: firstMs,
        initMsInInvokeRunsMedian: invokeInitMs,
      },
      budgets: [
        {
          name: 'zipped bundle',
          limit: '≤ 2 MiB',
          value: packaged.zipBytes / 1024 / 1024,
          unit: 'MiB',
          met: packaged.zipBytes <= ZIP_BUDGET_BYTES,
        },
        {
          name: 'module init',
          limit: `≤ ${INIT_BUDGET_MS} ms`,
          value: initMs,
          unit: 'ms',
          met: initMs <= INIT_BUDGET_MS,
        },
      ],
      notes: [
        'the first invocation connects to Kafka, looks the schema id up in the registry and queries DynamoDB: all of that is in its latency',
      ],
      config: { initRuns, invokeRuns, topic, table },
      runs: [
        ...inits.map((ms) => ({ kind: 'init', initMs: ms })),
        ...invocations.map((r) => ({ kind: 'invoke', ...r })),
      ],
    };
  } finally {
    packaged.dispose();
    await deleteTopics([topic, dlqTopic]);
    await deleteTable(table);
  }
}

export const coldStart: Benchmark = {
  name: 'cold-start',
  title: 'Cold start',
  run,
};
