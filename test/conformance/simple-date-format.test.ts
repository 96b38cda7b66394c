/**
 * Our SimpleDateFormat (src/transforms/java/date-format.ts, used by TimestampConverter and
 * TimestampRouter) against java.text.SimpleDateFormat itself, letter by letter: every pattern letter
 * at every width from 1 to 5, formatting instants chosen at the edges (year and week-year boundaries,
 * a leap day, the Julian-Gregorian cutover, year 1 and BC years, far past and future) and parsing what
 * it printed; then the two-digit-year pivot for every two-digit year, and week dates (Y, w, u).
 * Java runs in UTC with the en-US locale, as Connect's converters set UTC and we assume en-US.
 */
import assert from 'node:assert/strict';
import { type CaseCheck, checkCase, runOurSide, toHarness } from './fuzz/check.ts';
import type { FuzzCase } from './fuzz/families.ts';
import { ourDateFormat } from './fuzz/ours.ts';
import { ConnectHarness } from './support/harness.ts';

const LETTERS = 'GyYMLwWDdFEuaHkKhmsSzZX';

const INSTANTS: Array<number | bigint> = [
  0,
  1_709_214_300_123, // 2024-02-29T13:45:00.123Z, a leap day
  1_704_067_199_999, // 2023-12-31T23:59:59.999Z: week-year 2024 starts the next day
  1_735_603_200_000, // 2024-12-31T00:00Z: in week 1 of week-year 2025
  1_609_459_199_000, // 2020-12-31T23:59:59Z: week 53
  -12_219_292_800_001, // the last millisecond of the Julian calendar (1582-10-04)
  -12_219_292_800_000, // 1582-10-15, the first Gregorian day
  -62_135_596_800_000, // 0001-01-01
  -62_198_755_200_000, // 1 BC
  -100_000_000_000_000, // about 1200 BC
  253_402_300_799_999, // 9999-12-31T23:59:59.999Z
  43_200_000, // noon: a/h/K/k edges
  3_599_999, // 00:59:59.999
];

function letterCases(): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const letter of LETTERS) {
    for (let width = 1; width <= 5; width++) {
      const pattern = letter.repeat(width);
      // Parsing a single field alone exercises Java's defaults for the rest (1970-01-01, AD, week rules).
      const ours = ourDateFormat(pattern);
      const parse =
        'error' in ours
          ? []
          : INSTANTS.map((millis) => ours.format(millis)).filter(
              (text): text is string => typeof text === 'string',
            );
      cases.push({ kind: 'dateFormat', pattern, format: INSTANTS, parse });
      // And in context, so parse round-trips whole instants.
      const full = `${pattern} yyyy-MM-dd HH:mm:ss.SSS G`;
      const fullOurs = ourDateFormat(full);
      const fullParse =
        'error' in fullOurs
          ? []
          : INSTANTS.map((millis) => fullOurs.format(millis)).filter(
              (text): text is string => typeof text === 'string',
            );
      cases.push({ kind: 'dateFormat', pattern: full, format: INSTANTS, parse: fullParse });
    }
  }
  return cases;
}

const twoDigits = Array.from({ length: 100 }, (_, year) => String(year).padStart(2, '0'));

const PIVOT_CASES: FuzzCase[] = [
  { kind: 'dateFormat', pattern: 'yy', format: [], parse: [...twoDigits, '5', '005', '-5', '123', '+7'] },
  { kind: 'dateFormat', pattern: 'YY', format: [], parse: [...twoDigits, '5', '2024'] },
  { kind: 'dateFormat', pattern: 'MM/dd/yy', format: INSTANTS, parse: ['02/29/24', '12/31/69', '01/01/70'] },
  { kind: 'dateFormat', pattern: 'y', format: INSTANTS, parse: ['24', '2024', '0', '-44', '99999'] },
];

const WEEK_CASES: FuzzCase[] = [
  {
    kind: 'dateFormat',
    pattern: "YYYY-'W'ww-u",
    format: INSTANTS,
    parse: ['2024-W01-1', '2020-W53-5', '2021-W53-1', '2025-W01-2', '2024-W00-7', '2024-W60-1'],
  },
  {
    kind: 'dateFormat',
    pattern: 'YYYY ww',
    format: INSTANTS,
    parse: ['2024 01', '2024 52', '2026 53', '1582 41'],
  },
  { kind: 'dateFormat', pattern: 'yyyy w W F E', format: INSTANTS, parse: ['2024 9 5 5 Thu'] },
];

describe('SimpleDateFormat against java.text.SimpleDateFormat', function () {
  this.timeout(300_000);
  const groups: Array<[string, FuzzCase[]]> = [
    ['every letter at widths 1 to 5, alone and in a full date', letterCases()],
    ['the two-digit-year pivot', PIVOT_CASES],
    ['week dates (Y, w, u)', WEEK_CASES],
  ];
  let checks: CaseCheck[][];

  before(async () => {
    const harness = ConnectHarness.start();
    try {
      checks = [];
      for (const [, cases] of groups) {
        const results = await harness.run(cases.map(toHarness));
        checks.push(
          cases.map((fuzzCase, index) => checkCase(fuzzCase, runOurSide(fuzzCase), results[index])),
        );
      }
    } finally {
      await harness.close();
    }
  });

  groups.forEach(([title, cases], group) => {
    it(`${title}: ${cases.length} patterns, the same text and instants as Java`, () => {
      const compared = (checks[group] as CaseCheck[]).reduce((sum, check) => sum + check.compared, 0);
      assert.ok(compared >= cases.length, `only ${compared} comparisons`);
      const differences = (checks[group] as CaseCheck[]).flatMap((check) =>
        check.findings.map(
          (finding) => `${finding.detail}${finding.deliberate ? ` [${finding.deliberate}]` : ''}`,
        ),
      );
      assert.deepEqual(differences, []);
    });
  });
});
