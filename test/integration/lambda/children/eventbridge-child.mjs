// Runs in a fresh `node` process (no tsx), as a Lambda cold start would: imports the bundled handler
// from the extracted zip and invokes `eventBridgeHandler` once per EventBridge event in a file, the way an
// EventBridge rule invokes its target, one event per invocation. Prints one RESULT line for the parent:
// each invocation's summary, or the error it failed with (what makes Lambda retry an async invocation).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [bundleDir, eventsFile] = process.argv.slice(2);
const handler = await import(pathToFileURL(path.join(bundleDir, 'lambda.mjs')).href);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const invocations = [];
for (const event of events) {
  try {
    const summary = await handler.eventBridgeHandler(event, { getRemainingTimeInMillis: () => 60_000 });
    invocations.push({ id: event.id, summary });
  } catch (error) {
    invocations.push({ id: event.id, error: { name: error?.name, message: String(error?.message) } });
  }
}
process.stdout.write(`\nRESULT ${JSON.stringify({ invocations })}\n`);
// The warm producer would keep the process alive, as it does in a Lambda container between invocations.
process.exit(0);
