/**
 * The differences from Kafka Connect we choose to keep, each with its reason (the README's
 * "Deliberate differences from Connect" list says the same) and a test that recognises it in a
 * compared case. A difference none of these explains is a conformance bug.
 * Every rule is narrow on purpose: it names the side that differs, the aspect and what our message says.
 */
import type { CaseOutcome, ChainCase, Difference, OurRun } from './chain-case.ts';

export interface DifferenceContext {
  testCase: ChainCase;
  connect: CaseOutcome;
  ours: OurRun;
}

export interface DeliberateDifference {
  id: string;
  /** What we do instead, and why (the README's wording). */
  reason: string;
  explains(difference: Difference, context: DifferenceContext): boolean;
}

/** Our start-up refusal of a config Connect accepted, recognised by what our message says. */
function refusedAtStartup(difference: Difference, pattern: RegExp): boolean {
  return difference.aspect === 'config' && difference.connect === 'accepted' && pattern.test(difference.ours);
}

export const DELIBERATE_DIFFERENCES: DeliberateDifference[] = [
  {
    id: 'java17-float-digits',
    reason:
      "Floats and doubles are printed as Java 19 and later print them (the shortest digits that read back as the same number; JDK-4511638). Java 17's Float/Double.toString sometimes prints one digit more or a digit further from the value (1.23456792E8 for the float 1.2345679E8, 4.6824624E25 for 4.6824625E25); both read back as the same value.",
    explains: (difference) =>
      ['value', 'key', 'headers', 'valueSchema', 'keySchema'].includes(difference.aspect) &&
      onlyFloatDigitsDiffer(difference.connect, difference.ours),
  },
  {
    id: 'unknown-key',
    reason:
      'An unknown key under transforms.<alias>. or predicates.<alias>. is refused at start-up; Connect ignores it, so a misspelt key silently disables a step (a privacy step, say).',
    explains: (difference) => refusedAtStartup(difference, /: unknown key; allowed keys are/),
  },
  {
    id: 'field-does-not-exist',
    reason:
      'A field named in the config that the schema does not have is refused at start-up; Connect ignores it or fails each record, so a typo would keep data meant to be dropped or masked.',
    explains: (difference) => refusedAtStartup(difference, /: no field "/),
  },
  {
    id: 'avro-names',
    reason:
      'Field and schema names must be valid Avro names ([A-Za-z_][A-Za-z0-9_]*, dot-separated for full names), so Flatten\'s default delimiter "." and such names are refused at start-up; Connect has no such rule but the Avro converter would fail later.',
    explains: (difference) =>
      refusedAtStartup(difference, /is not a valid Avro (field |full )?name|not a valid Avro name/),
  },
  {
    id: 'regex-unsupported',
    reason:
      'The few Java regex constructs without an exact JavaScript equivalent are refused at start-up with a message naming them (see the java.util.regex family below).',
    explains: (difference) =>
      refusedAtStartup(difference, /\.(regex|pattern|replacement): .*is not supported: /),
  },
  {
    id: 'exact-long-default',
    reason:
      "A cast that turns a field's default into a long beyond ±(2^53 - 1) is refused: the schema travels as JSON text built from JavaScript numbers, which cannot carry that default exactly.",
    explains: (difference) =>
      refusedAtStartup(difference, /the schema's JSON text cannot carry that default exactly/),
  },
  {
    id: 'ambiguous-renames',
    reason:
      'Two renames to the same name are refused: Connect reads each output field through the inverted renames, and which source wins is decided by Java hash order.',
    explains: (difference) => refusedAtStartup(difference, /\.renames: two fields are renamed to "/),
  },
  {
    id: 'inverted-rename-type',
    reason:
      'A ReplaceField rename that makes an output field take its value, through the inverted renames, from a field of another type is refused. Connect puts the value in anyway and fails the records where it does not fit; the few it lets through (a Date into a Timestamp field, an empty list into a list of another type) come out in the other encoding.',
    explains: (difference) =>
      refusedAtStartup(
        difference,
        /\.renames: field "[^"]*" would fill output field "[^"]*", which has another type/,
      ),
  },
  {
    id: 'fails-every-record',
    reason:
      'A config that the schema shows cannot work (a cast, mask, flatten or field access the field type does not support, a $Key transform on a key that is not a record) is refused at start-up; Connect accepts it and fails each record it applies to (tombstones, records whose field is null, topics a RegexRouter does not match and records a predicate skips get through).',
    explains: (difference, context) =>
      refusedAtStartup(difference, /Kafka Connect accepts this and then fails each record it applies to/) &&
      connectFailedWhereItApplies(difference.ours, context),
  },
];

/** Follows a dotted path; undefined when something on the way is missing or null. */
function fieldAt(value: unknown, path: string): unknown {
  let current = value;
  for (const name of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[name];
  }
  return current;
}

/**
 * Checks the claim behind fails-every-record against what Connect did: each record Connect did not fail
 * is one the refused step does not apply to: its key or value (the step's side) is null, the field our
 * message names first is null there, its topic did not match (RegexRouter), or the step's predicate
 * may have skipped it.
 */
function connectFailedWhereItApplies(ourMessage: string, context: DifferenceContext): boolean {
  if (context.connect.kind !== 'ran') return false;
  const alias = /\btransforms\.([^.]+)\./.exec(ourMessage)?.[1];
  if (alias === undefined) return false;
  const config = context.testCase.config;
  if (config[`transforms.${alias}.predicate`] !== undefined) return true;
  const side = (config[`transforms.${alias}.type`] ?? '').trim().endsWith('$Key') ? 'key' : 'value';
  const field = /field "([^"]*)"/.exec(ourMessage)?.[1];
  return context.connect.records.every((outcome, index) => {
    if (outcome.kind !== 'record') return true;
    const input = context.testCase.records[index];
    if (input === undefined) return false;
    const operated = input[side];
    if (operated === null || operated === undefined) return true;
    if (field !== undefined && (fieldAt(operated, field) ?? null) === null) return true;
    return /\.(regex|replacement): /.test(ourMessage) && outcome.record.topic === input.topic;
  });
}

const JAVA_FLOAT = /(-?\d+\.\d+(?:E-?\d+)?)/;

function digitCount(text: string): number {
  return text.replace(/E.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').length;
}

/**
 * Both renderings say the same thing except for how some float or double is printed: the same double,
 * or the same float where ours has fewer digits or as many and closer to the float (Java 17 prints
 * 1.23456792E8 for the float 123456792f and 4.6824624E25 for 4.68246248609e25; Java 19+ and we print
 * 1.2345679E8 and 4.6824625E25).
 */
export function onlyFloatDigitsDiffer(theirs: string, ours: string): boolean {
  const a = theirs.split(JAVA_FLOAT);
  const b = ours.split(JAVA_FLOAT);
  if (a.length !== b.length || a.length === 1) return false;
  let differs = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x === y) continue;
    if (i % 2 === 0) return false;
    const sameDouble = Number(x) === Number(y);
    const float = Math.fround(Number(x));
    const closer =
      digitCount(y) < digitCount(x) ||
      (digitCount(y) === digitCount(x) && Math.abs(Number(y) - float) < Math.abs(Number(x) - float));
    const sameFloat = float === Math.fround(Number(y)) && closer;
    if (!sameDouble && !sameFloat) return false;
    differs = true;
  }
  return differs;
}

export function explainDifference(
  difference: Difference,
  context: DifferenceContext,
): DeliberateDifference | null {
  return DELIBERATE_DIFFERENCES.find((rule) => rule.explains(difference, context)) ?? null;
}

/** A difference in the Java behaviour compared directly (date formats, regexes, parseString). */
export interface JavaDifference {
  family: string;
  aspect: string;
  input: unknown;
  java: unknown;
  ours: unknown;
}

export interface DeliberateJavaDifference {
  id: string;
  reason: string;
  explains(difference: JavaDifference): boolean;
}

export const DELIBERATE_JAVA_DIFFERENCES: DeliberateJavaDifference[] = [
  {
    id: 'lookbehind-astral',
    reason:
      'A lookbehind meets characters outside the Basic Multilingual Plane (emoji and the like) as whole characters. Java 17 steps back in UTF-16 units whenever the pattern text itself spells no such character, so it can look at half a character and miss. Kafka topic names cannot contain such characters.',
    explains: (difference) => {
      const input = difference.input as { pattern?: string; input?: string };
      return (
        difference.family === 'java.util.regex' &&
        (difference.aspect === 'matches' || difference.aspect === 'replaceFirst') &&
        /\(\?<[=!]/.test(input.pattern ?? '') &&
        /[\u{10000}-\u{10ffff}]/u.test(input.input ?? '')
      );
    },
  },
  {
    id: 'unicode-version',
    reason:
      "Character properties in regexes (\\p{L}, \\w under (?U), case folding) follow Node's Unicode tables (17.0 in Node 20.20); Java 17 ships Unicode 13, so characters assigned since then (new CJK, emoji, scripts) can classify differently.",
    explains: (difference) =>
      difference.family === 'java.util.regex' &&
      (difference.aspect === 'matches' || difference.aspect === 'replaceFirst') &&
      ((difference.input as { unicodeVersionChars?: string[] }).unicodeVersionChars?.length ?? 0) > 0,
  },
  {
    id: 'regex-unsupported',
    reason:
      'A few Java regex constructs have no exact JavaScript equivalent and are refused at start-up with a message naming them: Unicode blocks (\\p{InGreek}; use \\p{IsGreek}), \\N{...} character names, \\X and \\b{g} graphemes, (?c) canonical equivalence, a backreference under (?i) or to a group that may not have matched, an optional or repeated group that can match the empty string ((a*)+), an atomic group or possessive quantifier inside a lookbehind, and a replacement $n naming a group inside a repetition it can sit out.',
    explains: (difference) =>
      difference.family === 'java.util.regex' &&
      (difference.aspect === 'compile' || difference.aspect === 'replaceFirst') &&
      JSON.stringify(difference.ours).includes('UnsupportedJavaRegexError'),
  },
  {
    id: 'zone-names',
    reason:
      'Parsing a date, a time-zone name other than UTC or GMT fails the record. Java looks the name up and then switches the whole format to that zone, so every later record is formatted and parsed in it.',
    explains: (difference) =>
      difference.family === 'SimpleDateFormat' &&
      difference.aspect === 'parse' &&
      typeof difference.ours === 'object' &&
      difference.ours !== null &&
      String((difference.ours as { error?: unknown }).error).startsWith('ZoneNameError'),
  },
];

export function explainJavaDifference(difference: JavaDifference): DeliberateJavaDifference | null {
  return DELIBERATE_JAVA_DIFFERENCES.find((rule) => rule.explains(difference)) ?? null;
}
