/**
 * Conformance with Kafka Connect itself, hand-written cases: every case runs through Apache Kafka's
 * connect-transforms (the Java harness, one JVM) and through our chain, and the two must agree on config
 * errors, per-record failures, filtering, topics, headers (the bytes Kafka gets), timestamps, keys,
 * values and output schemas. A case may declare one deliberate difference; the test checks it is exactly
 * that difference (and nothing else).
 */
import assert from 'node:assert/strict';
import { CASES, toChainCase } from './support/cases.ts';
import {
  type CaseOutcome,
  compareOutcomes,
  normalizeConnect,
  runOurs,
  toHarnessCase,
} from './support/chain-case.ts';
import { explainDifference } from './support/deliberate.ts';
import { ConnectHarness, type HarnessChainResult } from './support/harness.ts';

describe('conformance with Kafka Connect 4.1 transforms (hand-written cases)', function () {
  this.timeout(300_000);
  let connectOutcomes: CaseOutcome[];

  before(async () => {
    const harness = ConnectHarness.start();
    try {
      const results = await harness.run(CASES.map((testCase) => toHarnessCase(toChainCase(testCase))));
      connectOutcomes = results.map((result) => normalizeConnect(result as HarnessChainResult));
    } finally {
      await harness.close();
    }
  });

  CASES.forEach((testCase, index) => {
    const title = testCase.deliberate
      ? `${testCase.name} [deliberate: ${testCase.deliberate.id}]`
      : testCase.name;
    it(title, () => {
      const connect = connectOutcomes[index] as CaseOutcome;
      const chainCase = toChainCase(testCase);
      const ours = runOurs(chainCase);
      const differences = compareOutcomes(connect, ours);
      const context = { testCase: chainCase, connect, ours };
      if (testCase.deliberate) {
        assert.equal(
          ours.outcome.kind,
          'configError',
          'expected our chain to refuse this config at start-up',
        );
        assert.equal(connect.kind, 'ran', 'Connect was expected to accept this config');
        const explained = differences.map((difference) => explainDifference(difference, context)?.id);
        assert.deepEqual(explained, [testCase.deliberate.id], `differences: ${JSON.stringify(differences)}`);
        if (testCase.deliberate.connectFailsEveryRecord && connect.kind === 'ran') {
          for (const record of connect.records) {
            assert.equal(
              record.kind,
              'error',
              `Connect was expected to fail every record: ${JSON.stringify(record)}`,
            );
          }
        }
        return;
      }
      assert.deepEqual(differences, [], 'our chain and Connect disagree');
    });
  });
});
