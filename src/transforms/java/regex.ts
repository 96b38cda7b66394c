/**
 * java.util.regex patterns, translated into JavaScript RegExps with the same meaning.
 *
 * The parser follows java.util.regex.Pattern's own structure (the same cursor moves, the same error
 * cases), so a pattern Java refuses is refused here too, and a pattern Java accepts means the same:
 * POSIX, java.lang.Character, Unicode category, binary-property and script classes; nested classes,
 * && intersections and negation as Java evaluates them; inline and scoped flags (?imsdxuU-...:...),
 * Java's ASCII-only or Unicode case folding; \Q...\E; possessive quantifiers and atomic groups
 * (emulated with a lookahead and a backreference); Java's . ^ $ \Z \b \R definitions (Java 17: \b uses
 * Character.isLetterOrDigit); octal, \x{...}, \uXXXX and \cX escapes. Everything is emitted with the
 * `v` flag, whose set operations express Java's classes exactly.
 *
 * A few constructs have no faithful JavaScript equivalent and are refused with a message naming them
 * (UnsupportedJavaRegexError): \p{In...} Unicode blocks, \N{...} character names, \X and \b{g} graphemes,
 * (?c) canonical equivalence, backreferences that might point at a group that did not take part
 * (JavaScript matches those as empty, Java fails) or that compare case-insensitively, and repeated
 * groups that can match the empty string (Java stops repeating at the first empty iteration, JavaScript
 * rejects empty iterations beyond the minimum and backtracks).
 * Hand-written: no npm library translates Java regexes; the closest ones (Oniguruma ports, RE2) need
 * native code or have different semantics again.
 */
import { emit } from './regex-emit.ts';
import { JavaPatternParser } from './regex-parser.ts';
import { UnsupportedJavaRegexError } from './regex-tree.ts';

export { JavaRegexSyntaxError, UnsupportedJavaRegexError } from './regex-tree.ts';

// --- the compiled pattern ------------------------------------------------------------------------------

export interface JavaPattern {
  readonly pattern: string;
  /** Number of capturing groups, as Matcher.groupCount() reports. */
  readonly groupCount: number;
  readonly groupNames: ReadonlyMap<string, number>;
  /** Groups a replacement cannot use faithfully (see Emitted.unstableGroups). */
  readonly unstableGroups: ReadonlySet<number>;
  /** Matcher.matches(): the whole input. */
  matches(input: string): boolean;
  /** Matcher.find() from the start: the first match, with Java-numbered groups. */
  find(input: string): JavaMatch | null;
}

export interface JavaMatch {
  start: number;
  end: number;
  /** Group text by Java group number (0 is the whole match); undefined for a group that did not match. */
  group(index: number): string | undefined;
}

/**
 * Compiles a Java regular expression. Throws JavaRegexSyntaxError where Java throws
 * PatternSyntaxException, and UnsupportedJavaRegexError for the few constructs listed above.
 */
export function compileJavaPattern(pattern: string): JavaPattern {
  const parser = new JavaPatternParser(pattern);
  const tree = parser.parse();
  const { source, groupMap, unstableGroups } = emit(tree, parser.groupCount - 1);
  let full: RegExp;
  let search: RegExp;
  try {
    full = new RegExp(`^(?:${source})$`, 'v');
    search = new RegExp(source, 'v');
  } catch (error) {
    throw new UnsupportedJavaRegexError(
      `this pattern cannot be translated to JavaScript: ${(error as Error).message}`,
    );
  }
  const groupCount = parser.groupCount - 1;
  return {
    pattern,
    groupCount,
    groupNames: parser.namedGroups,
    unstableGroups,
    matches: (input) => full.test(input),
    find: (input) => {
      const match = search.exec(input);
      if (!match) return null;
      return {
        start: match.index,
        end: match.index + (match[0] ?? '').length,
        group: (index) => (index === 0 ? match[0] : match[groupMap[index] as number]),
      };
    },
  };
}

/**
 * Matcher.replaceFirst's replacement syntax, compiled against a pattern: $n (greedy while such a group
 * exists), ${name}, \x escapes. Throws IllegalArgument-like errors where Java would (at the first match).
 */
export function compileJavaReplacement(
  replacement: string,
  pattern: JavaPattern,
): (match: JavaMatch) => string {
  const parts: Array<string | number> = [];
  let literalText = '';
  let cursor = 0;
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  while (cursor < replacement.length) {
    const ch = replacement[cursor] as string;
    if (ch === '\\') {
      cursor++;
      if (cursor === replacement.length) throw new Error('character to be escaped is missing');
      literalText += replacement[cursor];
      cursor++;
    } else if (ch === '$') {
      cursor++;
      if (cursor === replacement.length) throw new Error('Illegal group reference: group index is missing');
      let next = replacement[cursor] as string;
      let refNum: number;
      if (next === '{') {
        cursor++;
        let name = '';
        while (cursor < replacement.length) {
          next = replacement[cursor] as string;
          if (!/[A-Za-z0-9]/.test(next)) break;
          name += next;
          cursor++;
        }
        if (name.length === 0) throw new Error('named capturing group has 0 length name');
        if (next !== '}') throw new Error("named capturing group is missing trailing '}'");
        if (isDigit(name[0])) throw new Error(`capturing group name {${name}} starts with digit character`);
        const index = pattern.groupNames.get(name);
        if (index === undefined) throw new Error(`No group with name {${name}}`);
        refNum = index;
        cursor++;
      } else {
        if (!isDigit(next)) throw new Error('Illegal group reference');
        refNum = Number(next);
        cursor++;
        while (cursor < replacement.length && isDigit(replacement[cursor])) {
          const extended = refNum * 10 + Number(replacement[cursor]);
          if (pattern.groupCount < extended) break;
          refNum = extended;
          cursor++;
        }
      }
      if (refNum > pattern.groupCount) throw new Error(`No group ${refNum}`);
      if (pattern.unstableGroups.has(refNum)) {
        throw new UnsupportedJavaRegexError(
          `group ${refNum} in the replacement is not supported: it is inside a repeated part it can sit out, where Java keeps an earlier iteration's text and JavaScript does not`,
        );
      }
      if (literalText) parts.push(literalText);
      literalText = '';
      parts.push(refNum);
    } else {
      literalText += ch;
      cursor++;
    }
  }
  if (literalText) parts.push(literalText);
  return (match) =>
    parts.map((part) => (typeof part === 'string' ? part : (match.group(part) ?? ''))).join('');
}

/** Matcher.replaceFirst: the first match (searching from the start) replaced; the input when none. */
export function javaReplaceFirst(
  pattern: JavaPattern,
  replace: (match: JavaMatch) => string,
  input: string,
): string {
  const match = pattern.find(input);
  if (!match) return input;
  return input.slice(0, match.start) + replace(match) + input.slice(match.end);
}
