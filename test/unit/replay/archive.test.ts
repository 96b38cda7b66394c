import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { objectText, skipReason } from '../../../src/replay/archive.ts';
import { listLocalTarget } from '../../../src/replay/local-source.ts';

async function textOf(chunks: Buffer[]): Promise<{ text: string; bytes: number }> {
  let text = '';
  let bytes = 0;
  for await (const piece of objectText(Readable.from(chunks), (count) => (bytes += count))) text += piece;
  return { text, bytes };
}

/** Cuts a buffer into pieces of `size` bytes, as a slow network read would deliver it. */
function pieces(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) out.push(buffer.subarray(at, at + size));
  return out;
}

describe('archive objects: gzip by magic bytes, UTF-8 across chunk boundaries', () => {
  const text = '{"mail":{"subject":"Grüße 😀"}}\n{"b":2}\n';

  it('reads plain text whole, even when a character is split between two chunks', async () => {
    for (const size of [1, 2, 3, 1000]) {
      const read = await textOf(pieces(Buffer.from(text), size));
      assert.equal(read.text, text, `chunks of ${size}`);
      assert.equal(read.bytes, Buffer.byteLength(text));
    }
  });

  it('recognises gzip by its first bytes whatever the name, and counts the stored (compressed) bytes', async () => {
    const gzipped = gzipSync(text);
    for (const size of [1, 7, 100_000]) {
      const read = await textOf(pieces(gzipped, size));
      assert.equal(read.text, text, `chunks of ${size}`);
      assert.equal(read.bytes, gzipped.length);
    }
  });

  it('reads concatenated gzip members one after the other', async () => {
    const joined = Buffer.concat([gzipSync('{"a":1}'), gzipSync('{"b":2}')]);
    assert.equal((await textOf([joined])).text, '{"a":1}{"b":2}');
  });

  it('fails the read of a corrupt gzip object instead of returning part of it as if whole', async () => {
    const gzipped = gzipSync(text.repeat(100));
    const corrupt = Buffer.concat([gzipped.subarray(0, 40), Buffer.from('garbage-garbage')]);
    await assert.rejects(textOf([corrupt]));
  });

  it('reads an empty object as no text', async () => {
    assert.equal((await textOf([])).text, '');
  });

  it('reads folders in name order (code units, not locale) and says what it skips', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'archive-'));
    for (const name of [
      'b.json',
      'B.ndjson',
      'a.jsonl',
      'c.gz',
      'ses-1-2026-11-20-05-00-00-x',
      'notes.txt',
      '.hidden',
    ]) {
      writeFileSync(path.join(dir, name), '{}');
    }
    const listed = [...listLocalTarget(dir)].map((item) =>
      item.kind === 'object' ? path.basename(item.object.label) : `skipped ${path.basename(item.label)}`,
    );
    assert.deepEqual(listed, [
      'B.ndjson',
      'a.jsonl',
      'b.json',
      'c.gz',
      'skipped notes.txt',
      'ses-1-2026-11-20-05-00-00-x',
    ]);
    assert.match(skipReason('notes.txt') ?? '', /"\.txt" is not an input extension/);
    assert.equal(skipReason('archive/2026/11/20/05/ses-stream-1-2026-11-20-05-59-58-abc'), undefined);
  });
});
