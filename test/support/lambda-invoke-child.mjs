// Runs in a fresh `node` process (no tsx, no loader hooks), as Lambda runs the packaged zip: imports the
// bundled handler from the extracted folder, invokes one handler with the event in a file, and prints one
// RESULT line: the handler's answer, or the error it failed the invocation with.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [bundleDir, handlerName, eventFile] = process.argv.slice(2);
const handler = await import(pathToFileURL(path.join(bundleDir, 'lambda.mjs')).href);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { getRemainingTimeInMillis: () => 120_000 };
let result;
try {
  result = { ok: true, response: await handler[handlerName](event, context) };
} catch (error) {
  result = { ok: false, error: String(error?.message ?? error) };
}
process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
// The warm producer would keep the process alive, as it does in a Lambda container between invocations.
process.exit(0);
