import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CheckpointError, loadCheckpoint, saveCheckpoint } from '../../../src/replay/checkpoint.ts';

describe('replay checkpoint file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'checkpoint-'));
  const inputs = ['s3://archive/ses/'];

  it('starts a new backfill when the file does not exist, and resumes the one it holds', () => {
    const file = path.join(dir, 'new.json');
    const fresh = loadCheckpoint(file, inputs, { since: '2026-11-01' });
    assert.equal(fresh.resumed, false);
    assert.equal(fresh.checkpoint.position, null);
    fresh.checkpoint.position = {
      object: 's3://archive/ses/2026/11/01/00/a.gz',
      records: 120,
      objectDone: false,
    };
    fresh.checkpoint.counts.records = 120;
    saveCheckpoint(file, fresh.checkpoint);
    const again = loadCheckpoint(file, inputs, { since: '2026-11-01' });
    assert.equal(again.resumed, true);
    assert.deepEqual(again.checkpoint.position, fresh.checkpoint.position);
    assert.equal(again.checkpoint.counts.records, 120);
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.startsWith('new')),
      ['new.json'],
      'the temporary file was renamed over the checkpoint',
    );
  });

  it('refuses the checkpoint of another backfill, naming what it was for', () => {
    const file = path.join(dir, 'other.json');
    const { checkpoint } = loadCheckpoint(file, inputs, {});
    saveCheckpoint(file, checkpoint);
    assert.throws(
      () => loadCheckpoint(file, ['s3://archive/other/'], {}),
      (error: Error) =>
        error instanceof CheckpointError &&
        /belongs to another backfill \(s3:\/\/archive\/ses\/\)/.test(error.message),
    );
    assert.throws(() => loadCheckpoint(file, inputs, { until: '2026-12-01' }), CheckpointError);
  });

  it('refuses a file that is not a checkpoint, without touching it', () => {
    const file = path.join(dir, 'notes.json');
    writeFileSync(file, 'my notes');
    assert.throws(() => loadCheckpoint(file, inputs, {}), /not a checkpoint \(not JSON\)/);
    writeFileSync(file, '{"hello":1}');
    assert.throws(() => loadCheckpoint(file, inputs, {}), /not a replay checkpoint/);
    assert.equal(readFileSync(file, 'utf8'), '{"hello":1}');
  });
});
