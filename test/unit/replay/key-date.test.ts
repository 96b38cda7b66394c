import assert from 'node:assert/strict';
import { keySpan, overlaps, parseWindowTime } from '../../../src/replay/key-date.ts';

const HOUR = 3_600_000;

describe('--since/--until: the date in an archive key', () => {
  it("reads Firehose's YYYY/MM/DD/HH/ path as that UTC hour", () => {
    const span = keySpan('s3://archive/ses/2026/11/20/05/ses-stream-1-2026-11-20-05-59-58-1b2c3d4e.gz');
    assert.deepEqual(span, { start: Date.UTC(2026, 10, 20, 5), end: Date.UTC(2026, 10, 20, 6) });
  });

  it('reads a day without an hour as the whole day, and Hive-style partitions as well', () => {
    assert.deepEqual(keySpan('backup/2026/11/20/events.ndjson'), {
      start: Date.UTC(2026, 10, 20),
      end: Date.UTC(2026, 10, 21),
    });
    assert.deepEqual(keySpan('s3://b/year=2026/month=11/day=20/hour=07/part-0001'), {
      start: Date.UTC(2026, 10, 20, 7),
      end: Date.UTC(2026, 10, 20, 8),
    });
  });

  it('has no date for keys without a real date path', () => {
    assert.equal(keySpan('s3://b/ses/events.ndjson'), undefined);
    assert.equal(keySpan('s3://b/2026/13/20/05/x'), undefined, 'month 13');
    assert.equal(keySpan('s3://b/2026/04/31/x'), undefined, '31 April');
    assert.equal(keySpan('s3://b/2026/11/20/24/x'), undefined, 'hour 24');
    assert.equal(keySpan('s3://b/ses-2026-11-20-05.gz'), undefined, 'a date in a file name is not a path');
  });

  it('keeps an object that may hold events of the window: since inclusive, until exclusive', () => {
    const fiveOClock = { start: Date.UTC(2026, 10, 20, 5), end: Date.UTC(2026, 10, 20, 6) };
    assert.equal(overlaps(fiveOClock, { since: fiveOClock.start }), true);
    assert.equal(overlaps(fiveOClock, { since: fiveOClock.start + HOUR / 2 }), true);
    assert.equal(overlaps(fiveOClock, { since: fiveOClock.end }), false);
    assert.equal(overlaps(fiveOClock, { until: fiveOClock.start }), false);
    assert.equal(overlaps(fiveOClock, { until: fiveOClock.start + 1 }), true);
    assert.equal(overlaps(fiveOClock, {}), true);
  });

  it('takes a date, a date and hour, or an ISO time (UTC unless it says otherwise)', () => {
    assert.equal(parseWindowTime('--since', '2026-11-20'), Date.UTC(2026, 10, 20));
    assert.equal(parseWindowTime('--since', '2026-11-20T05'), Date.UTC(2026, 10, 20, 5));
    assert.equal(parseWindowTime('--since', '2026-11-20T05:30'), Date.UTC(2026, 10, 20, 5, 30));
    assert.equal(parseWindowTime('--since', '2026-11-20T05:30:00+02:00'), Date.UTC(2026, 10, 20, 3, 30));
    for (const bad of ['yesterday', '2026-02-30', '20261120', '2026-11-20T25']) {
      assert.throws(
        () => parseWindowTime('--until', bad),
        /^Error: --until: expected a UTC date such as 2026-11-01/,
      );
    }
  });
});
