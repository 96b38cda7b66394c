/**
 * One fuzz case, both engines: the harness request for it, our side's result, and the comparison,
 * which yields each difference with the deliberate difference that explains it (or none: a bug).
 */
import { inspect } from 'node:util';
import {
  type ChainCase,
  compareOutcomes,
  normalizeConnect,
  type OurRun,
  runOurs,
  toHarnessCase,
} from '../support/chain-case.ts';
import { explainDifference, explainJavaDifference, type JavaDifference } from '../support/deliberate.ts';
import type {
  HarnessCase,
  HarnessChainResult,
  HarnessDateFormatResult,
  HarnessParseStringResult,
  HarnessRegexResult,
} from '../support/harness.ts';
import type { FuzzCase } from './families.ts';
import { ourDateFormat, ourHeaderLiteral, ourRegex } from './ours.ts';

export interface Finding {
  /** Groups findings of the same kind, e.g. "Cast value" or "SimpleDateFormat parse". */
  signature: string;
  detail: string;
  /** Id of the deliberate difference that explains it, or null for an undocumented difference. */
  deliberate: string | null;
}

export interface CaseCheck {
  findings: Finding[];
  /** Records (or inputs) compared, for the report. */
  compared: number;
}

export function toHarness(fuzzCase: FuzzCase): HarnessCase {
  switch (fuzzCase.kind) {
    case 'chain':
      return toHarnessCase(fuzzCase.case);
    case 'dateFormat':
      return {
        kind: 'dateFormat',
        pattern: fuzzCase.pattern,
        format: fuzzCase.format.map(String),
        parse: fuzzCase.parse,
      };
    case 'regex':
      return fuzzCase.replacement === undefined
        ? { kind: 'regex', pattern: fuzzCase.pattern, inputs: fuzzCase.inputs }
        : {
            kind: 'regex',
            pattern: fuzzCase.pattern,
            inputs: fuzzCase.inputs,
            replacement: fuzzCase.replacement,
          };
    case 'parseString':
      return { kind: 'parseString', inputs: fuzzCase.inputs };
  }
}

/** Our side, computed while the JVM works on the same batch. */
export type OurSide = { kind: 'chain'; run: OurRun } | { kind: 'other' };

export function runOurSide(fuzzCase: FuzzCase): OurSide {
  return fuzzCase.kind === 'chain' ? { kind: 'chain', run: runOurs(fuzzCase.case) } : { kind: 'other' };
}

function transformTypes(testCase: ChainCase): string {
  const types = Object.entries(testCase.config)
    .filter(([key]) => /^transforms\.[^.]+\.type$/.test(key))
    .map(([, value]) => value.replace(/^org\.apache\.kafka\.connect\.transforms\./, ''));
  return types.join('+') || 'none';
}

function checkChain(testCase: ChainCase, ours: OurRun, result: HarnessChainResult): CaseCheck {
  const connect = normalizeConnect(result);
  const differences = compareOutcomes(connect, ours);
  const context = { testCase, connect, ours };
  const family = transformTypes(testCase);
  return {
    compared: connect.kind === 'ran' ? connect.records.length : 1,
    findings: differences.map((difference) => ({
      signature: `${family} ${difference.aspect}`,
      detail: `${difference.record === undefined ? '' : `record ${difference.record}: `}Connect ${difference.connect} | ours ${difference.ours}`,
      deliberate: explainDifference(difference, context)?.id ?? null,
    })),
  };
}

const show = (value: unknown): string => inspect(value, { depth: 4, breakLength: Number.POSITIVE_INFINITY });

function javaFinding(difference: JavaDifference): Finding {
  return {
    signature: `${difference.family} ${difference.aspect}`,
    detail: `input ${show(difference.input)}: Java ${show(difference.java)} | ours ${show(difference.ours)}`,
    deliberate: explainJavaDifference(difference)?.id ?? null,
  };
}

function isError(value: unknown): value is { error: string } {
  return typeof value === 'object' && value !== null && 'error' in value;
}

function checkDateFormat(
  fuzzCase: Extract<FuzzCase, { kind: 'dateFormat' }>,
  java: HarnessDateFormatResult,
): CaseCheck {
  const ours = ourDateFormat(fuzzCase.pattern);
  const family = 'SimpleDateFormat';
  const findings: Finding[] = [];
  if ('error' in java || 'error' in ours) {
    if ('error' in java !== 'error' in ours) {
      findings.push(
        javaFinding({
          family,
          aspect: 'pattern',
          input: fuzzCase.pattern,
          java: 'error' in java ? java.error : 'accepted',
          ours: 'error' in ours ? ours.error : 'accepted',
        }),
      );
    }
    return { findings, compared: 1 };
  }
  fuzzCase.format.forEach((millis, index) => {
    const expected = java.formatted[index];
    const actual = ours.format(millis);
    const same = isError(expected) ? isError(actual) : expected === actual;
    if (!same)
      findings.push(
        javaFinding({
          family,
          aspect: 'format',
          input: { pattern: fuzzCase.pattern, millis },
          java: expected,
          ours: actual,
        }),
      );
  });
  fuzzCase.parse.forEach((text, index) => {
    const expected = java.parsed[index];
    const actual = ours.parse(text);
    const same = isError(expected) ? isError(actual) : expected === actual;
    if (!same)
      findings.push(
        javaFinding({
          family,
          aspect: 'parse',
          input: { pattern: fuzzCase.pattern, text },
          java: expected,
          ours: actual,
        }),
      );
  });
  return { findings, compared: fuzzCase.format.length + fuzzCase.parse.length };
}

/** Java's Character.getType numbers, as general category names. */
const JAVA_CATEGORIES = [
  'Cn',
  'Lu',
  'Ll',
  'Lt',
  'Lm',
  'Lo',
  'Mn',
  'Me',
  'Mc',
  'Nd',
  'Nl',
  'No',
  'Zs',
  'Zl',
  'Zp',
  'Cc',
  'Cf',
  '',
  'Co',
  'Cs',
  'Pd',
  'Ps',
  'Pe',
  'Pc',
  'Po',
  'Sm',
  'Sc',
  'Sk',
  'So',
  'Pi',
  'Pf',
];
const categoryTests = JAVA_CATEGORIES.filter(Boolean).map(
  (name) => [name, new RegExp(`^\\p{gc=${name}}$`, 'v')] as const,
);

/** Characters whose Unicode category differs between Java 17 (Unicode 13) and this Node's ICU. */
function unicodeVersionChars(input: string, javaTypes: Record<string, number>): string[] {
  const out: string[] = [];
  for (const char of input) {
    const java = JAVA_CATEGORIES[javaTypes[String(char.codePointAt(0))] ?? -1];
    const ours = categoryTests.find(([, test]) => test.test(char))?.[0];
    if (java !== undefined && java !== ours) out.push(char);
  }
  return out;
}

function checkRegex(fuzzCase: Extract<FuzzCase, { kind: 'regex' }>, java: HarnessRegexResult): CaseCheck {
  const ours = ourRegex(fuzzCase.pattern, fuzzCase.replacement);
  const family = 'java.util.regex';
  const findings: Finding[] = [];
  if ('error' in java || 'error' in ours) {
    if ('error' in java !== 'error' in ours) {
      findings.push(
        javaFinding({
          family,
          aspect: 'compile',
          input: fuzzCase.pattern,
          java: 'error' in java ? java.error : 'accepted',
          ours: 'error' in ours ? ours.error : 'accepted',
        }),
      );
    }
    return { findings, compared: 1 };
  }
  fuzzCase.inputs.forEach((input, index) => {
    const expectedMatch = java.matches[index];
    if (isError(expectedMatch)) return; // Java gave up (catastrophic backtracking): nothing to compare.
    const actual = ours.run(input);
    const newer = unicodeVersionChars(input, java.types);
    if (expectedMatch !== actual.matches) {
      findings.push(
        javaFinding({
          family,
          aspect: 'matches',
          input: { pattern: fuzzCase.pattern, input, unicodeVersionChars: newer },
          java: expectedMatch,
          ours: actual.matches,
        }),
      );
      return;
    }
    if (fuzzCase.replacement === undefined || !expectedMatch) return;
    const expected = java.replaced[index];
    if (isError(expected) && expected.error.includes('timed out')) return;
    const same = isError(expected)
      ? actual.replaced === null || isError(actual.replaced)
      : expected === actual.replaced;
    if (!same) {
      findings.push(
        javaFinding({
          family,
          aspect: 'replaceFirst',
          input: {
            pattern: fuzzCase.pattern,
            input,
            replacement: fuzzCase.replacement,
            unicodeVersionChars: newer,
          },
          java: expected,
          ours: actual.replaced,
        }),
      );
    }
  });
  return { findings, compared: fuzzCase.inputs.length };
}

function checkParseString(
  fuzzCase: Extract<FuzzCase, { kind: 'parseString' }>,
  java: HarnessParseStringResult,
): CaseCheck {
  const findings: Finding[] = [];
  fuzzCase.inputs.forEach((input, index) => {
    const expected = java.results[index];
    const actual = ourHeaderLiteral(input);
    const expectedText =
      expected === undefined || isError(expected)
        ? expected
        : expected.header === null
          ? null
          : Buffer.from(expected.header, 'base64').toString('utf8');
    const same = isError(expectedText) ? isError(actual) : expectedText === actual;
    if (!same)
      findings.push(
        javaFinding({
          family: 'Values.parseString',
          aspect: 'header',
          input,
          java: expectedText,
          ours: actual,
        }),
      );
  });
  return { findings, compared: fuzzCase.inputs.length };
}

export function checkCase(fuzzCase: FuzzCase, ours: OurSide, result: unknown): CaseCheck {
  switch (fuzzCase.kind) {
    case 'chain':
      if (ours.kind !== 'chain') throw new Error('unreachable');
      return checkChain(fuzzCase.case, ours.run, result as HarnessChainResult);
    case 'dateFormat':
      return checkDateFormat(fuzzCase, result as HarnessDateFormatResult);
    case 'regex':
      return checkRegex(fuzzCase, result as HarnessRegexResult);
    case 'parseString':
      return checkParseString(fuzzCase, result as HarnessParseStringResult);
  }
}

export function hasUndocumented(check: CaseCheck): boolean {
  return check.findings.some((finding) => finding.deliberate === null);
}
