/**
 * Our implementations of the Java behaviour the fuzzer compares directly, in the harness's terms
 * (millis as decimal strings, errors as {error}). They call the same code the transforms use.
 */
import { connectLiteralHeader } from '../../../src/transforms/java/connect-values.ts';
import { compileDateFormat, ZoneNameError } from '../../../src/transforms/java/date-format.ts';
import {
  compileJavaPattern,
  compileJavaReplacement,
  type JavaMatch,
  type JavaPattern,
  javaReplaceFirst,
  UnsupportedJavaRegexError,
} from '../../../src/transforms/java/regex.ts';

type Failure = { error: string };

const failure = (error: unknown): Failure => ({
  error: error instanceof Error ? error.message : String(error),
});

export function ourDateFormat(
  pattern: string,
):
  | Failure
  | { format(millis: number | bigint): string | Failure; parse(text: string): string | null | Failure } {
  let format: ReturnType<typeof compileDateFormat>;
  try {
    format = compileDateFormat(pattern);
  } catch (error) {
    return failure(error);
  }
  return {
    format: (millis) => {
      try {
        return format.format(millis);
      } catch (error) {
        return failure(error);
      }
    },
    parse: (text) => {
      try {
        const parsed = format.parse(text);
        return parsed === null ? null : String(parsed);
      } catch (error) {
        // Kept apart: Java may resolve the zone name (and then switch zones), we refuse it.
        if (error instanceof ZoneNameError) return { error: `ZoneNameError: ${error.message}` };
        return failure(error);
      }
    },
  };
}

export function ourRegex(
  pattern: string,
  replacement: string | undefined,
): Failure | { run(input: string): { matches: boolean; replaced: string | null | Failure } } {
  let compiled: JavaPattern;
  try {
    compiled = compileJavaPattern(pattern);
  } catch (error) {
    if (error instanceof UnsupportedJavaRegexError)
      return { error: `UnsupportedJavaRegexError: ${error.message}` };
    return failure(error);
  }
  let replace: ((match: JavaMatch) => string) | Failure | null = null;
  if (replacement !== undefined) {
    try {
      replace = compileJavaReplacement(replacement, compiled);
    } catch (error) {
      replace =
        error instanceof UnsupportedJavaRegexError
          ? { error: `UnsupportedJavaRegexError: ${error.message}` }
          : failure(error);
    }
  }
  return {
    run: (input) => {
      if (!compiled.matches(input)) return { matches: false, replaced: null };
      if (replace === null) return { matches: true, replaced: null };
      if ('error' in replace) return { matches: true, replaced: replace };
      return { matches: true, replaced: javaReplaceFirst(compiled, replace, input) };
    },
  };
}

/** The header text InsertHeader writes for a value.literal (Values.parseString, then convertToString). */
export function ourHeaderLiteral(literal: string): string | null | Failure {
  try {
    return connectLiteralHeader(literal);
  } catch (error) {
    return failure(error);
  }
}
