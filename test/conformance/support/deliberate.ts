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
    id: 'fails-every-record',
    reason:
      'A config that the schema shows cannot work (a cast, mask, flatten or field access the field type does not support, a $Key transform on a key that is not a record) is refused at start-up; Connect accepts it and fails each record that reaches it.',
    explains: (difference) => refusedAtStartup(difference, /Connect fails each record/),
  },
];

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
      "Character properties in regexes (\\p{L}, \\w under (?U), case folding) follow Node's Unicode tables (15.x); Java 17 ships Unicode 13, so characters assigned since then (new CJK, emoji, scripts) can classify differently.",
    explains: (difference) =>
      difference.family === 'java.util.regex' &&
      (difference.aspect === 'matches' || difference.aspect === 'replaceFirst') &&
      ((difference.input as { unicodeVersionChars?: string[] }).unicodeVersionChars?.length ?? 0) > 0,
  },
  {
    id: 'regex-unsupported',
    reason:
      'A few Java regex constructs have no exact JavaScript equivalent and are refused at start-up with a message naming them: Unicode blocks (\\p{InGreek}; use \\p{IsGreek}), \\N{...} character names, \\X and \\b{g} graphemes, (?c) canonical equivalence, and backreferences to a group that may not have matched or under (?i).',
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
