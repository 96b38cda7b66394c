import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { benchStream, snsRecord, sqsRecord } from '../../../bench/lib/events.ts';
import { addBenchOptions, BENCHMARK_NAMES } from '../../../bench/lib/options.ts';
import { type BenchReport, writeReport } from '../../../bench/lib/report.ts';
import { median } from '../../../bench/lib/stats.ts';
import { AcceptingProducer } from '../../../bench/pipeline-cpu.ts';
import { BENCHMARKS, selectBenchmarks } from '../../../bench/run.ts';
import { parseSnsRecord, parseSqsRecord } from '../../../src/ses/index.ts';
import { formatTable } from '../../../src/terminal/table.ts';

describe('bench', () => {
  describe('statistics and tables', () => {
    it('takes the middle value, or the mean of the two middle ones, whatever the input order', () => {
      assert.equal(median([5, 1, 3]), 3);
      assert.equal(median([4, 1, 3, 2]), 2.5);
      assert.ok(Number.isNaN(median([])));
    });

    it('pads columns to the widest cell: labels left, numbers right', () => {
      const table = formatTable([
        ['name', 'value'],
        ['a', '1'],
        ['longer', '100'],
      ]);
      assert.deepEqual(table.split('\n'), [
        'name    value',
        '------  -----',
        'a           1',
        'longer    100',
      ]);
    });
  });

  describe('inputs', () => {
    it('builds the asked number of SES messages, reproducibly, with metadata rows for their emails', () => {
      const first = benchStream(250);
      const second = benchStream(250);
      assert.equal(first.messages.length, 250);
      assert.deepEqual(first.messages, second.messages);
      assert.ok(first.metadataRows.length > 50);
    });

    it('wraps messages as SNS and SQS records the parsers accept', () => {
      const message = benchStream(5).messages[0] as string;
      const fromSns = parseSnsRecord(snsRecord(message, 0));
      const fromSqs = parseSqsRecord(sqsRecord(message, 'id-0'));
      assert.equal(fromSns.ok, true);
      assert.equal(fromSqs.ok, true);
      if (fromSns.ok && fromSqs.ok) assert.equal(fromSns.event.eventId, fromSqs.event.eventId);
    });
  });

  describe('the accepting producer of the CPU benchmark', () => {
    it('answers ok for every record, in order, and counts the value bytes it was handed', async () => {
      const producer = new AcceptingProducer();
      const results = await producer.send([
        { topic: 'a', key: 'k', value: Buffer.alloc(10) },
        { topic: 'b', key: null, value: null },
      ]);
      assert.deepEqual(results, [
        { ok: true, topic: 'a' },
        { ok: true, topic: 'b' },
      ]);
      assert.equal(producer.records, 2);
      assert.equal(producer.valueBytes, 10);
    });
  });

  describe('selection and options', () => {
    it('the CLI lists exactly the benchmarks the runner has', () => {
      assert.deepEqual(
        BENCHMARKS.map((bench) => bench.name),
        [...BENCHMARK_NAMES],
      );
      assert.deepEqual(
        selectBenchmarks(['memory', 'encoding']).map((bench) => bench.name),
        ['memory', 'encoding'],
      );
    });

    it('rejects an unknown benchmark name, naming the choices', () => {
      const command = addBenchOptions(new Command().exitOverride().configureOutput({ writeErr: () => {} }));
      assert.throws(
        () => command.parse(['--only', 'pipeline-cpu,warp-speed'], { from: 'user' }),
        /"warp-speed".*choose from pipeline-cpu, end-to-end/,
      );
      assert.throws(() => command.parse(['--runs', '0'], { from: 'user' }), /at least 1, got "0"/);
      const ok = addBenchOptions(new Command()).parse(['--quick', '--only', 'memory', '--runs', '3'], {
        from: 'user',
      });
      assert.deepEqual(ok.opts().only, ['memory']);
      assert.equal(ok.opts().runs, 3);
      assert.equal(ok.opts().quick, true);
    });
  });

  describe('results', () => {
    it('writes <name>-<timestamp>.json with the metrics, budgets, machine and whether budgets were checked', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
      try {
        const report: BenchReport = {
          name: 'demo',
          title: 'Demo',
          method: 'm',
          table: [['a'], ['1']],
          metrics: { ratio: 2.5 },
          budgets: [{ name: 'ratio', limit: '≤ 3×', value: 2.5, unit: '×', met: true }],
          notes: [],
          config: { runs: 3 },
          runs: [{ x: 1 }],
        };
        const file = writeReport(report, {
          resultsDir: dir,
          quick: true,
          startedAt: new Date('2026-01-02T03:04:05.678Z'),
        });
        assert.equal(path.basename(file), 'demo-2026-01-02T03-04-05-678Z.json');
        const body = JSON.parse(readFileSync(file, 'utf8'));
        assert.equal(body.budgetsChecked, false);
        assert.deepEqual(body.metrics, { ratio: 2.5 });
        assert.equal(body.budgets[0].met, true);
        assert.equal(typeof body.machine.cpus, 'number');
        assert.deepEqual(body.runs, [{ x: 1 }]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
