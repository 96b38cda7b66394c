/**
 * The differential fuzzer's driver. For each family it samples `runs` cases from a fixed seed, sends
 * them to the one JVM in batches (the next batch is on its way while our side computes the current
 * one), compares, and tallies every difference as deliberate (by id) or undocumented (by signature).
 * The first undocumented case of each signature is then shrunk with fast-check, replaying exactly that
 * case (same seed, its index as the path), one harness round trip per shrink step.
 */
import fc from 'fast-check';
import type { ConnectHarness } from '../support/harness.ts';
import { type CaseCheck, checkCase, type Finding, runOurSide, toHarness } from './check.ts';
import type { Family, FuzzCase } from './families.ts';

export interface FuzzOptions {
  seed: number;
  runs: number;
  batchSize?: number;
  /** How many undocumented signatures to shrink per family (0: none). */
  shrink?: number;
  /** Upper bound on one shrink, in milliseconds. */
  shrinkMillis?: number;
}

export interface Shrunk {
  signature: string;
  caseIndex: number;
  fuzzCase: FuzzCase;
  findings: Finding[];
}

export interface FamilyReport {
  family: string;
  cases: number;
  compared: number;
  /** Undocumented differences: cases per signature, with the first example. */
  undocumented: Map<string, { cases: number; example: string; caseIndex: number }>;
  /** Deliberate differences seen: cases per id. */
  deliberate: Map<string, number>;
  shrunk: Shrunk[];
  millis: number;
}

async function checkOne(harness: ConnectHarness, fuzzCase: FuzzCase): Promise<CaseCheck> {
  const pending = harness.run([toHarness(fuzzCase)]);
  const ours = runOurSide(fuzzCase);
  const [result] = await pending;
  return checkCase(fuzzCase, ours, result);
}

export async function fuzzFamily(
  harness: ConnectHarness,
  family: Family,
  options: FuzzOptions,
): Promise<FamilyReport> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 250;
  const cases = fc.sample(family.arbitrary, { seed: options.seed, numRuns: options.runs });
  const report: FamilyReport = {
    family: family.name,
    cases: cases.length,
    compared: 0,
    undocumented: new Map(),
    deliberate: new Map(),
    shrunk: [],
    millis: 0,
  };
  const batches: FuzzCase[][] = [];
  for (let start = 0; start < cases.length; start += batchSize)
    batches.push(cases.slice(start, start + batchSize));
  let next = batches.length > 0 ? harness.run((batches[0] as FuzzCase[]).map(toHarness)) : null;
  for (let index = 0; index < batches.length; index++) {
    const batch = batches[index] as FuzzCase[];
    const current = next as Promise<unknown[]>;
    next = index + 1 < batches.length ? harness.run((batches[index + 1] as FuzzCase[]).map(toHarness)) : null;
    const ours = batch.map(runOurSide);
    const results = await current;
    batch.forEach((fuzzCase, offset) => {
      const caseIndex = index * batchSize + offset;
      const check = checkCase(fuzzCase, ours[offset] as ReturnType<typeof runOurSide>, results[offset]);
      report.compared += check.compared;
      const seen = new Set<string>();
      for (const finding of check.findings) {
        const key = finding.deliberate === null ? `u:${finding.signature}` : `d:${finding.deliberate}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (finding.deliberate !== null) {
          report.deliberate.set(finding.deliberate, (report.deliberate.get(finding.deliberate) ?? 0) + 1);
          continue;
        }
        const known = report.undocumented.get(finding.signature);
        if (known) known.cases += 1;
        else report.undocumented.set(finding.signature, { cases: 1, example: finding.detail, caseIndex });
      }
    });
  }
  const toShrink = [...report.undocumented.entries()].slice(0, options.shrink ?? 0);
  for (const [signature, { caseIndex }] of toShrink) {
    report.shrunk.push(await shrinkCase(harness, family, options, signature, caseIndex));
  }
  report.millis = Date.now() - started;
  return report;
}

/** Shrinks case `caseIndex` to a minimal one that still shows an undocumented `signature` difference. */
async function shrinkCase(
  harness: ConnectHarness,
  family: Family,
  options: FuzzOptions,
  signature: string,
  caseIndex: number,
): Promise<Shrunk> {
  const stillDiffers = (check: CaseCheck) =>
    check.findings.some((finding) => finding.deliberate === null && finding.signature === signature);
  const result = await fc.check(
    fc.asyncProperty(family.arbitrary, async (fuzzCase) => !stillDiffers(await checkOne(harness, fuzzCase))),
    {
      seed: options.seed,
      numRuns: options.runs,
      path: String(caseIndex),
      interruptAfterTimeLimit: options.shrinkMillis ?? 30_000,
      markInterruptAsFailure: false,
    },
  );
  const [minimal] = (result.counterexample ?? []) as [FuzzCase] | [];
  const fuzzCase =
    minimal ??
    (fc.sample(family.arbitrary, { seed: options.seed, numRuns: caseIndex + 1 })[caseIndex] as FuzzCase);
  const check = await checkOne(harness, fuzzCase);
  return {
    signature,
    caseIndex,
    fuzzCase,
    findings: check.findings.filter((finding) => finding.deliberate === null),
  };
}
