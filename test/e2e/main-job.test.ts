/** What `npm start` does, end to end on the real stack, with a smaller stream. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { printMainJobResult, runMainJob } from '../../src/demo/main-job.ts';

describe('npm start: the main job end to end', function () {
  this.timeout(300_000);

  it('accounts for every input and loads every produced event into the warehouse', async () => {
    const outDir = mkdtempSync(path.join(tmpdir(), 'main-job-'));
    const lines: string[] = [];
    const result = await runMainJob({ emails: 80, batchSize: 50, outDir, log: (line) => lines.push(line) });

    assert.equal(result.notWritten, 0);
    assert.equal(result.deadLettered, 4, 'the four malformed payloads, and only those');
    assert.equal(result.produced + result.deadLettered + result.filtered, result.inputs);
    assert.equal(result.consumed, result.produced);
    assert.ok(
      lines.some((line) => line.startsWith('[7/7]')),
      'all seven steps ran',
    );

    const instance = await DuckDBInstance.create(result.warehouseFile, { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    try {
      const rows = (
        await connection.runAndReadAll(
          `SELECT COUNT(*)::INTEGER AS events, COUNT(DISTINCT event_type)::INTEGER AS types,
             COUNT(*) FILTER (WHERE metadata_status = 'FOUND')::INTEGER AS found,
             COUNT(*) FILTER (WHERE metadata_status = 'NOT_FOUND')::INTEGER AS not_found
           FROM ses_events`,
        )
      ).getRowObjectsJson()[0] as { events: number; types: number; found: number; not_found: number };
      assert.equal(rows.events, result.produced);
      assert.ok(rows.types >= 4, `several event types, got ${rows.types}`);
      assert.ok(rows.found > 0 && rows.not_found > 0, 'both enrichment outcomes appear');
      const eventTypeTotal = result.summary.byEventType.reduce((sum, row) => sum + Number(row.events), 0);
      assert.equal(eventTypeTotal, result.produced);
      // Part of the stream comes through the EventBridge door, directly and through SQS.
      assert.deepEqual(result.summary.byDoor.map((row) => String(row.envelope)).sort(), [
        'eventbridge',
        'sqs-eventbridge',
        'sqs-sns',
      ]);
      const doorTotal = result.summary.byDoor.reduce((sum, row) => sum + Number(row.events), 0);
      assert.equal(doorTotal, result.produced);
      for (const [door, inputs] of Object.entries(result.inputsByDoor)) assert.ok(inputs > 0, door);
      assert.equal(result.filtered, 2, 'the two SES service events, filtered');
      const printed: string[] = [];
      printMainJobResult(result, (line) => printed.push(...line.split('\n')));
      const table = printed.slice(printed.findIndex((line) => line.startsWith('Events by door')) + 1);
      assert.match(table[0] ?? '', /^door +envelope +events +enriched$/);
      for (const door of ['SNS → SQS → Lambda', 'EventBridge → Lambda', 'EventBridge → SQS → Lambda']) {
        assert.ok(
          table.slice(2, 5).some((line) => line.startsWith(door)),
          `${door} in the door table`,
        );
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    assert.ok(existsSync(result.reportFile));
    assert.match(readFileSync(result.reportFile, 'utf8'), /<canvas/);
  });
});
