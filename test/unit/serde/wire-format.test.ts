import assert from 'node:assert/strict';
import { PipelineError } from '../../../src/errors.ts';
import {
  bytesToUuid,
  detectWireFormat,
  frameConfluent,
  frameGlue,
  parseConfluentFrame,
  parseGlueFrame,
  uuidToBytes,
} from '../../../src/serde/wire-format.ts';

const VERSION_ID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

describe('wire format', () => {
  it('frames Confluent as 0x00 + 4-byte big-endian id + body', () => {
    const bytes = frameConfluent(0x01020304, Buffer.from([0xaa, 0xbb]));
    assert.deepEqual([...bytes], [0x00, 0x01, 0x02, 0x03, 0x04, 0xaa, 0xbb]);
    assert.deepEqual(parseConfluentFrame(bytes), { schemaId: 0x01020304, body: Buffer.from([0xaa, 0xbb]) });
  });

  it('frames Glue as 0x03 + compression byte + UUID bytes in textual order + body', () => {
    const bytes = frameGlue(VERSION_ID, 'zlib', Buffer.from([0x7f]));
    assert.equal(bytes.length, 19);
    assert.equal(bytes[0], 0x03);
    assert.equal(bytes[1], 0x05);
    assert.equal(bytes.subarray(2, 18).toString('hex'), VERSION_ID.replaceAll('-', ''));
    assert.deepEqual(parseGlueFrame(bytes), {
      schemaVersionId: VERSION_ID,
      compression: 'zlib',
      body: Buffer.from([0x7f]),
    });
    assert.equal(frameGlue(VERSION_ID, 'none', Buffer.alloc(0))[1], 0x00);
  });

  it('round-trips UUIDs through their 16 bytes', () => {
    assert.equal(bytesToUuid(uuidToBytes(VERSION_ID)), VERSION_ID);
    assert.throws(() => uuidToBytes('not-a-uuid'), /not a UUID/);
  });

  it('detects the format from the first byte and rejects anything else by naming the byte', () => {
    assert.equal(detectWireFormat(Buffer.from([0x00, 1, 2, 3, 4])), 'confluent');
    assert.equal(detectWireFormat(Buffer.from([0x03])), 'glue');
    assert.throws(
      () => detectWireFormat(Buffer.from([0x7b, 0x22])),
      (error: unknown) =>
        error instanceof PipelineError && /0x7b/.test(error.message) && error.code === 'SERDE_UNKNOWN_FORMAT',
    );
    assert.throws(() => detectWireFormat(Buffer.alloc(0)), /empty message/);
  });

  it('rejects truncated headers and unknown compression bytes', () => {
    assert.throws(() => parseConfluentFrame(Buffer.from([0x00, 0x01])), /too short/);
    assert.throws(() => parseGlueFrame(Buffer.from([0x03, 0x00, 0x01])), /too short/);
    const bad = frameGlue(VERSION_ID, 'none', Buffer.alloc(1));
    bad[1] = 0x09;
    assert.throws(() => parseGlueFrame(bad), /compression byte 0x09/);
  });

  it('refuses schema ids that do not fit 32 unsigned bits', () => {
    assert.throws(() => frameConfluent(-1, Buffer.alloc(0)), /unsigned 32-bit/);
    assert.throws(() => frameConfluent(2 ** 32, Buffer.alloc(0)), /unsigned 32-bit/);
  });
});
