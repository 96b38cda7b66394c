/**
 * `npm run conformance -- [--runs N] [--seed S] [--family NAME]... [--shrink K]`: the larger
 * differential fuzz run against Kafka Connect's own transforms (default 20,000 cases per family).
 * Prints one line per family, every undocumented difference with a shrunk case ready to paste into
 * regressions.ts, and exits 1 when any undocumented difference was found.
 */
import { parseArgs } from 'node:util';
import { ConnectHarness } from '../support/harness.ts';
import { FAMILIES } from './families.ts';
import { type FamilyReport, fuzzFamily } from './run.ts';
import { toSource } from './source.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20000' },
    seed: { type: 'string' },
    family: { type: 'string', multiple: true },
    shrink: { type: 'string', default: '3' },
    batch: { type: 'string', default: '250' },
  },
});

const runs = Number(values.runs);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const shrink = Number(values.shrink);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs: expected a positive integer, got ${values.runs}`);
if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got ${values.seed}`);
const wanted = values.family?.map((name) => name.toLowerCase());
const families = FAMILIES.filter(
  (family) => !wanted || wanted.some((name) => family.name.toLowerCase().includes(name)),
);
if (families.length === 0)
  throw new Error(
    `--family: none of ${values.family?.join(', ')} names a family; families are: ${FAMILIES.map((f) => f.name).join(', ')}`,
  );

console.log(
  `conformance fuzz: seed ${seed}, ${runs} cases per family, ${families.length} families (replay: npm run conformance -- --seed ${seed} --runs ${runs})`,
);
const harness = ConnectHarness.start({ build: true });
const reports: FamilyReport[] = [];
const started = Date.now();
try {
  for (const family of families) {
    const report = await fuzzFamily(harness, family, { seed, runs, shrink, batchSize: Number(values.batch) });
    reports.push(report);
    const undocumented = [...report.undocumented.values()].reduce((sum, entry) => sum + entry.cases, 0);
    const deliberate =
      [...report.deliberate.entries()].map(([id, count]) => `${id} ${count}`).join(', ') || 'none';
    console.log(
      `${report.family.padEnd(20)} ${String(report.cases).padStart(6)} cases ${String(report.compared).padStart(7)} compared  undocumented ${String(undocumented).padStart(5)}  deliberate: ${deliberate}  (${(report.millis / 1000).toFixed(1)}s)`,
    );
  }
} finally {
  await harness.close();
}

let failed = false;
for (const report of reports) {
  for (const [signature, { cases, example, caseIndex }] of report.undocumented) {
    failed = true;
    console.log(
      `\nUNDOCUMENTED ${signature}: ${cases} case(s); first is case ${caseIndex}\n  ${example.slice(0, 2000)}`,
    );
    const shrunk = report.shrunk.find((entry) => entry.signature === signature);
    if (shrunk) {
      console.log(
        `  shrunk: ${shrunk.findings
          .map((finding) => finding.detail)
          .join('\n          ')
          .slice(0, 2000)}`,
      );
      console.log(`  case: ${toSource(shrunk.fuzzCase, '  ')}`);
    }
  }
}
const total = reports.reduce((sum, report) => sum + report.cases, 0);
console.log(
  `\n${total} cases in ${((Date.now() - started) / 1000).toFixed(0)}s; ${failed ? 'undocumented differences found' : 'no undocumented differences'} (seed ${seed})`,
);
process.exitCode = failed ? 1 : 0;
