/**
 * Profiles exactly what the pipeline-cpu benchmark measures: the same workload, warmed up the same way,
 * with the V8 profiler (node:inspector) running only around the measured pipeline passes, so module
 * loading, stack set-up and warm-up stay out of the profile. Writes the .cpuprofile (open it in Chrome
 * DevTools or VS Code) and prints where the time went.
 *
 *   npm run bench:profile                       # 4,000 events, 6 passes
 *   npm run bench:profile -- --passes 10 --out /tmp/prof
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { type CpuProfile, formatSummary, summariseProfile } from './lib/profile-summary.ts';
import { RESULTS_DIR } from './lib/report.ts';
import { preparePipelineWorkload } from './pipeline-cpu.ts';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  }
  return parsed;
}

const command = new Command()
  .name('bench:profile')
  .description('CPU profile of the pipeline-cpu benchmark’s measured passes')
  .option('--events <n>', 'events per pass', positiveInteger, 4000)
  .option('--passes <n>', 'profiled pipeline passes', positiveInteger, 6)
  .option('--interval <µs>', 'sampling interval in microseconds', positiveInteger, 200)
  .option('--rows <n>', 'rows per table in the printed summary', positiveInteger, 25)
  .option('--out <dir>', 'where the .cpuprofile goes', path.join(RESULTS_DIR, 'profiles'))
  .showHelpAfterError();
command.parse();
const options = command.opts<{
  events: number;
  passes: number;
  interval: number;
  rows: number;
  out: string;
}>();

const workload = await preparePipelineWorkload(options.events, (line) => console.log(line));
const session = new Session();
session.connect();
try {
  await workload.pipelinePass();
  await workload.pipelinePass();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: options.interval });
  await session.post('Profiler.start');
  let pipelineMs = 0;
  for (let pass = 0; pass < options.passes; pass++) pipelineMs += await workload.pipelinePass();
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  const floorMs = workload.floorPass();
  mkdirSync(options.out, { recursive: true });
  const file = path.join(
    options.out,
    `pipeline-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`,
  );
  writeFileSync(file, JSON.stringify(profile));
  const events = workload.texts.length * options.passes;
  console.log(
    `\n${options.passes} passes of ${workload.texts.length} events under the profiler: ${((pipelineMs * 1000) / events).toFixed(1)} µs/event (floor, unprofiled: ${((floorMs * 1000) / workload.texts.length).toFixed(1)} µs/event)`,
  );
  console.log(`wrote ${path.relative(process.cwd(), file)}\n`);
  console.log(formatSummary(summariseProfile(profile), options.rows));
} finally {
  session.disconnect();
  await workload.close();
}
process.exit();
