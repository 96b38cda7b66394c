import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isoMillis } from '../../../src/ses/iso-millis.ts';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** Timestamps in SES's own form, with every field over its whole range and a little past it. */
const sesShaped = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 61 }),
    millisecond: fc.option(fc.integer({ min: 0, max: 999 })),
  })
  .map(
    ({ year, month, day, hour, minute, second, millisecond }) =>
      `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${millisecond === null ? '' : `.${pad(millisecond, 3)}`}Z`,
  );

/** Near misses: one character of an SES-shaped timestamp replaced by anything. */
const damaged = fc
  .tuple(sesShaped, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }))
  .map(([text, at, character]) => {
    const index = at % text.length;
    return text.slice(0, index) + character + text.slice(index + 1);
  });

describe('isoMillis', () => {
  it('gives exactly what Date.parse gives, on SES-shaped timestamps (seeded property)', () => {
    fc.assert(
      fc.property(sesShaped, (text) => Object.is(isoMillis(text), Date.parse(text))),
      { numRuns: 20_000 },
    );
  });

  it('and on damaged ones and other ISO forms', () => {
    fc.assert(
      fc.property(damaged, (text) => Object.is(isoMillis(text), Date.parse(text))),
      { numRuns: 20_000 },
    );
    for (const text of [
      '2024-03-11T09:15:02.412Z',
      '2024-03-11T09:15:02Z',
      '2024-02-29T23:59:59.999Z',
      '2024-02-30T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-03-11T09:15:02.412+01:00',
      '2024-03-11T09:15:02.4Z',
      '2024-03-11',
      '0099-01-01T00:00:00Z',
      '',
      'not a time at all, 24 ch',
    ]) {
      assert.ok(Object.is(isoMillis(text), Date.parse(text)), text);
    }
  });
});
