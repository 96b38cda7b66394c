// Runs in a fresh `node` process (no tsx, no loader hooks), like a Lambda cold start: imports the bundled
// handler, optionally invokes the SQS handler once with the event in a file, and prints one BENCH_RESULT
// line for the parent: init time, first-invocation latency and memory (peak RSS over the whole process).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const MIB = 1024 * 1024;
const [mode, bundleDir, eventFile] = process.argv.slice(2);
const importStarted = performance.now();
const handler = await import(pathToFileURL(path.join(bundleDir, 'lambda.mjs')).href);
const initMs = performance.now() - importStarted;
const result = { initMs, processUptimeAtReadyMs: process.uptime() * 1000 };
if (mode === 'invoke') {
  // Read and parsed before the clock starts: the Lambda runtime hands the handler a parsed event.
  const event = JSON.parse(readFileSync(eventFile, 'utf8'));
  result.events = event.Records.length;
  result.rssBeforeInvokeMiB = process.memoryUsage().rss / MIB;
  result.maxRssBeforeInvokeMiB = (process.resourceUsage().maxRSS * 1024) / MIB;
  const invokeStarted = performance.now();
  const response = await handler.sqsHandler(event, { getRemainingTimeInMillis: () => 600_000 });
  result.firstInvocationMs = performance.now() - invokeStarted;
  result.redelivered = response.batchItemFailures.length;
}
result.maxRssMiB = (process.resourceUsage().maxRSS * 1024) / MIB;
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(result)}\n`);
// The warm producer would keep the process alive, as it does in a Lambda container between invocations.
process.exit(0);
