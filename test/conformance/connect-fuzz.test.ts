/**
 * The differential fuzzer, bounded for `npm test`: a fixed seed (printed, so any failure replays with
 * `npm run conformance -- --seed <seed> --runs <runs> --family <name>`), a few hundred generated cases
 * per family through Kafka Connect's own classes (one JVM) and ours, and every named regression case.
 * An undocumented difference fails the family's test with the shrunk case, ready for regressions.ts.
 * The larger run is `npm run conformance -- --runs 20000` (test/conformance/fuzz/cli.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type CaseCheck, checkCase, runOurSide, toHarness } from './fuzz/check.ts';
import { FAMILIES } from './fuzz/families.ts';
import { REGRESSIONS } from './fuzz/regressions.ts';
import { fuzzFamily } from './fuzz/run.ts';
import { toSource } from './fuzz/source.ts';
import { DELIBERATE_DIFFERENCES, DELIBERATE_JAVA_DIFFERENCES } from './support/deliberate.ts';
import { ConnectHarness } from './support/harness.ts';

/** Fixed so CI is reproducible; other seeds are the larger run's job. */
const SEED = 413_2025;
/** Cases per family: 19 families at this size take about 30 s with a warm JVM on one core. */
const RUNS = 150;

describe('conformance with Kafka Connect 4.1: differential fuzzing', function () {
  this.timeout(600_000);
  let harness: ConnectHarness;

  before(() => {
    harness = ConnectHarness.start();
    console.log(`      fuzz seed ${SEED}, ${RUNS} cases per family`);
  });
  after(async () => {
    await harness.close();
  });

  describe('generated cases (fixed seed)', () => {
    for (const family of FAMILIES) {
      it(`${family.name}: no undocumented difference in ${RUNS} cases (seed ${SEED})`, async () => {
        const report = await fuzzFamily(harness, family, {
          seed: SEED,
          runs: RUNS,
          shrink: 1,
          shrinkMillis: 20_000,
        });
        assert.equal(report.cases, RUNS);
        assert.ok(report.compared >= RUNS, `only ${report.compared} records or inputs compared`);
        const lines = [...report.undocumented].map(([signature, { cases, example, caseIndex }]) => {
          const shrunk = report.shrunk.find((entry) => entry.signature === signature);
          const minimal = shrunk
            ? `\n  shrunk: ${shrunk.findings.map((finding) => finding.detail).join('; ')}\n  case: ${toSource(shrunk.fuzzCase, '  ')}`
            : '';
          return `${signature}: ${cases} case(s), first is case ${caseIndex}: ${example}${minimal}`;
        });
        assert.deepEqual(
          lines,
          [],
          `replay: npm run conformance -- --seed ${SEED} --runs ${RUNS} --family '${family.name}'`,
        );
      });
    }
  });

  describe('named regression cases', () => {
    let checks: CaseCheck[];
    before(async () => {
      const pending = harness.run(REGRESSIONS.map((regression) => toHarness(regression.fuzzCase)));
      const ours = REGRESSIONS.map((regression) => runOurSide(regression.fuzzCase));
      const results = await pending;
      checks = REGRESSIONS.map((regression, index) =>
        checkCase(regression.fuzzCase, ours[index] as ReturnType<typeof runOurSide>, results[index]),
      );
    });

    REGRESSIONS.forEach((regression, index) => {
      const title = regression.deliberate
        ? `${regression.name} [deliberate: ${regression.deliberate}]`
        : regression.name;
      it(title, () => {
        const check = checks[index] as CaseCheck;
        const details = check.findings.map((finding) => `${finding.signature}: ${finding.detail}`);
        const explained = [...new Set(check.findings.map((finding) => finding.deliberate))];
        assert.deepEqual(
          explained,
          regression.deliberate ? [regression.deliberate] : [],
          `differences:\n${details.join('\n')}`,
        );
      });
    });
  });
});

describe('the README documents every deliberate difference', () => {
  it('lists exactly the ids the conformance tests recognise', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split('### Deliberate differences from Connect')[1]?.split(/\n##/)[0] ?? '';
    const listed = [...section.matchAll(/^- `([a-z0-9-]+)`:/gm)].map((match) => match[1]).sort();
    const ids = [
      ...new Set([...DELIBERATE_DIFFERENCES, ...DELIBERATE_JAVA_DIFFERENCES].map((rule) => rule.id)),
    ];
    assert.deepEqual(listed, ids.sort());
  });
});
