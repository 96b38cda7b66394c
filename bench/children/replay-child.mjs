// Runs `ses-kafka <args>` exactly as the CLI does (src/cli/main.ts under tsx, started with
// `node --import tsx`), and writes the process's peak RSS, wall time and exit code to the file named
// first on the command line when it exits. Used by bench/replay.ts, one fresh process per measurement.
import { writeFileSync } from 'node:fs';

const [resultFile, ...args] = process.argv.slice(2);
const started = performance.now();
process.on('exit', (code) => {
  const result = {
    maxRssKiB: process.resourceUsage().maxRSS,
    wallMs: performance.now() - started,
    uptimeMs: process.uptime() * 1000,
    exitCode: code,
  };
  writeFileSync(resultFile, JSON.stringify(result));
});
process.argv = [process.argv[0], 'ses-kafka', ...args];
await import('../../src/cli/main.ts');
