/**
 * Java's character classes as JavaScript `v`-flag set expressions: POSIX (\p{Alpha}), java.lang.Character
 * (\p{javaLowerCase}), Unicode categories, binary properties and scripts, in their ASCII and
 * UNICODE_CHARACTER_CLASS forms, with the set algebra (union, intersection, negation) Java's classes use.
 */

// --- JavaScript set expressions (v flag) -----------------------------------------------------------

export const ANY = '[\\u{0}-\\u{10ffff}]';

function literal(codePoint: number): string {
  if (
    (codePoint >= 0x30 && codePoint <= 0x39) ||
    (codePoint >= 0x41 && codePoint <= 0x5a) ||
    (codePoint >= 0x61 && codePoint <= 0x7a)
  ) {
    return String.fromCodePoint(codePoint);
  }
  return `\\u{${codePoint.toString(16)}}`;
}

export const setOf = (...codePoints: number[]) => `[${codePoints.map(literal).join('')}]`;
export const rangeSet = (low: number, high: number) => `[${literal(low)}-${literal(high)}]`;
export const union = (...sets: string[]) => `[${sets.join('')}]`;
export const intersect = (a: string, b: string) => `[${a}&&${b}]`;
export const negate = (set: string) => `[^${set}]`;

export const isAsciiLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
export const asciiToUpper = (c: number) => (c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
export const asciiToLower = (c: number) => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);

// java.util.regex.ASCII character types, and the Unicode predicates of CharPredicates.
export const ASCII = {
  alnum: '[0-9A-Za-z]',
  alpha: '[A-Za-z]',
  blank: '[\\u{9}\\u{20}]',
  cntrl: '[\\u{0}-\\u{1f}\\u{7f}]',
  digit: '[0-9]',
  graph: '[\\u{21}-\\u{7e}]',
  print: '[\\u{20}-\\u{7e}]',
  punct: '[\\u{21}-\\u{2f}\\u{3a}-\\u{40}\\u{5b}-\\u{60}\\u{7b}-\\u{7e}]',
  space: '[\\u{9}-\\u{d}\\u{20}]',
  xdigit: '[0-9A-Fa-f]',
  word: '[0-9A-Za-z_]',
};
const CASED = '[\\p{Lowercase}\\p{Uppercase}\\p{Lt}]';
export const UNICODE = {
  alphabetic: '[\\p{Alphabetic}]',
  digit: '[\\p{Nd}]',
  letter: '[\\p{L}]',
  ideographic: '[\\p{Ideographic}]',
  lowercase: '[\\p{Lowercase}]',
  uppercase: '[\\p{Uppercase}]',
  titlecase: '[\\p{Lt}]',
  whiteSpace: '[\\u{9}-\\u{d}\\u{85}\\p{Z}]',
  control: '[\\p{Cc}]',
  punctuation: '[\\p{P}]',
  hexDigit: '[\\p{Nd}0-9A-Fa-f\\u{ff10}-\\u{ff19}\\u{ff21}-\\u{ff26}\\u{ff41}-\\u{ff46}]',
  assigned: '[\\P{Cn}]',
  noncharacter: '[\\p{Noncharacter_Code_Point}]',
  alnum: '[\\p{Alphabetic}\\p{Nd}]',
  blank: '[\\p{Zs}\\u{9}]',
  graph: '[^\\p{Z}\\p{Cc}\\p{Cs}\\p{Cn}]',
  print: '[[[^\\p{Z}\\p{Cc}\\p{Cs}\\p{Cn}][\\p{Zs}\\u{9}]]--[\\p{Cc}]]',
  joinControl: '[\\u{200c}\\u{200d}]',
  word: '[\\p{Alphabetic}\\p{Mn}\\p{Me}\\p{Mc}\\p{Nd}\\p{Pc}\\u{200c}\\u{200d}]',
};
const IDENTIFIER_IGNORABLE = '[\\u{0}-\\u{8}\\u{e}-\\u{1b}\\u{7f}-\\u{9f}\\p{Cf}]';
const JAVA_WHITESPACE = '[[\\u{9}-\\u{d}\\u{1c}-\\u{1f}][\\p{Z}--[\\u{a0}\\u{2007}\\u{202f}]]]';
export const HORIZONTAL_WS =
  '[\\u{9}\\u{20}\\u{a0}\\u{1680}\\u{180e}\\u{2000}-\\u{200a}\\u{202f}\\u{205f}\\u{3000}]';
export const VERTICAL_WS = '[\\u{a}-\\u{d}\\u{85}\\u{2028}\\u{2029}]';

export function posixPredicate(name: string, caseInsensitive: boolean): string | null {
  switch (name) {
    case 'ALPHA':
      return UNICODE.alphabetic;
    case 'LOWER':
      return caseInsensitive ? CASED : UNICODE.lowercase;
    case 'UPPER':
      return caseInsensitive ? CASED : UNICODE.uppercase;
    case 'SPACE':
      return UNICODE.whiteSpace;
    case 'PUNCT':
      return UNICODE.punctuation;
    case 'XDIGIT':
      return UNICODE.hexDigit;
    case 'ALNUM':
      return UNICODE.alnum;
    case 'CNTRL':
      return UNICODE.control;
    case 'DIGIT':
      return UNICODE.digit;
    case 'BLANK':
      return UNICODE.blank;
    case 'GRAPH':
      return UNICODE.graph;
    case 'PRINT':
      return UNICODE.print;
    default:
      return null;
  }
}

export function unicodePredicate(name: string, caseInsensitive: boolean): string | null {
  switch (name) {
    case 'ALPHABETIC':
      return UNICODE.alphabetic;
    case 'ASSIGNED':
      return UNICODE.assigned;
    case 'CONTROL':
      return UNICODE.control;
    case 'HEXDIGIT':
    case 'HEX_DIGIT':
      return UNICODE.hexDigit;
    case 'IDEOGRAPHIC':
      return UNICODE.ideographic;
    case 'JOINCONTROL':
    case 'JOIN_CONTROL':
      return UNICODE.joinControl;
    case 'LETTER':
      return UNICODE.letter;
    case 'LOWERCASE':
      return caseInsensitive ? CASED : UNICODE.lowercase;
    case 'NONCHARACTERCODEPOINT':
    case 'NONCHARACTER_CODE_POINT':
      return UNICODE.noncharacter;
    case 'TITLECASE':
      return caseInsensitive ? CASED : UNICODE.titlecase;
    case 'PUNCTUATION':
      return UNICODE.punctuation;
    case 'UPPERCASE':
      return caseInsensitive ? CASED : UNICODE.uppercase;
    case 'WHITESPACE':
    case 'WHITE_SPACE':
      return UNICODE.whiteSpace;
    case 'WORD':
      return UNICODE.word;
    default:
      return posixPredicate(name, caseInsensitive);
  }
}

const CATEGORIES = new Set([
  'Cn',
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
  'L',
  'M',
  'N',
  'Z',
  'C',
  'P',
  'S',
]);

/** CharPredicates.forProperty: categories, POSIX (ASCII) classes and java.lang.Character methods. */
export function propertyPredicate(name: string, caseInsensitive: boolean): string | null {
  if (CATEGORIES.has(name)) return `[\\p{${name}}]`;
  switch (name) {
    case 'Lu':
    case 'Ll':
    case 'Lt':
      return caseInsensitive ? '[\\p{Lu}\\p{Ll}\\p{Lt}]' : `[\\p{${name}}]`;
    case 'LC':
      return '[\\p{Lu}\\p{Ll}\\p{Lt}]';
    case 'LD':
      return '[\\p{L}\\p{Nd}]';
    case 'L1':
      return '[\\u{0}-\\u{ff}]';
    case 'all':
      return ANY;
    case 'ASCII':
      return '[\\u{0}-\\u{7f}]';
    case 'Alnum':
      return ASCII.alnum;
    case 'Alpha':
      return ASCII.alpha;
    case 'Blank':
      return ASCII.blank;
    case 'Cntrl':
      return ASCII.cntrl;
    case 'Digit':
      return ASCII.digit;
    case 'Graph':
      return ASCII.graph;
    case 'Lower':
      return caseInsensitive ? ASCII.alpha : '[a-z]';
    case 'Print':
      return ASCII.print;
    case 'Punct':
      return ASCII.punct;
    case 'Space':
      return ASCII.space;
    case 'Upper':
      return caseInsensitive ? ASCII.alpha : '[A-Z]';
    case 'XDigit':
      return ASCII.xdigit;
    case 'javaLowerCase':
      return caseInsensitive ? CASED : UNICODE.lowercase;
    case 'javaUpperCase':
      return caseInsensitive ? CASED : UNICODE.uppercase;
    case 'javaTitleCase':
      return caseInsensitive ? CASED : UNICODE.titlecase;
    case 'javaAlphabetic':
      return UNICODE.alphabetic;
    case 'javaIdeographic':
      return UNICODE.ideographic;
    case 'javaDigit':
      return UNICODE.digit;
    case 'javaDefined':
      return UNICODE.assigned;
    case 'javaLetter':
      return UNICODE.letter;
    case 'javaLetterOrDigit':
      return '[\\p{L}\\p{Nd}]';
    case 'javaJavaIdentifierStart':
      return '[\\p{L}\\p{Nl}\\p{Sc}\\p{Pc}]';
    case 'javaJavaIdentifierPart':
      return `[\\p{L}\\p{Nl}\\p{Sc}\\p{Pc}\\p{Nd}\\p{Mn}\\p{Mc}${IDENTIFIER_IGNORABLE}]`;
    case 'javaUnicodeIdentifierStart':
      return '[\\p{ID_Start}]';
    case 'javaUnicodeIdentifierPart':
      return `[\\p{ID_Continue}${IDENTIFIER_IGNORABLE}]`;
    case 'javaIdentifierIgnorable':
      return IDENTIFIER_IGNORABLE;
    case 'javaSpaceChar':
      return '[\\p{Z}]';
    case 'javaWhitespace':
      return JAVA_WHITESPACE;
    case 'javaISOControl':
      return '[\\u{0}-\\u{1f}\\u{7f}-\\u{9f}]';
    case 'javaMirrored':
      return '[\\p{Bidi_Mirrored}]';
    default:
      return null;
  }
}

/** Scripts added after Unicode 13 (Java 17's version): Java does not know them. */
const NEWER_SCRIPTS = new Set([
  'CYPRO_MINOAN',
  'CPMN',
  'OLD_UYGHUR',
  'OUGR',
  'TANGSA',
  'TNSA',
  'TOTO',
  'VITHKUQI',
  'VITH',
  'KAWI',
  'NAG_MUNDARI',
  'NAGM',
]);
const SCRIPT_SPELLINGS: Record<string, string> = {
  SIGNWRITING: 'SignWriting',
  NKO: 'Nko',
  PHAGS_PA: 'Phags_Pa',
};

/** Character.UnicodeScript.forName (full names or 4-letter codes, any case) as a JavaScript script name. */
export function scriptPredicate(name: string): string | null {
  const upper = name.toUpperCase();
  if (NEWER_SCRIPTS.has(upper) || !/^[A-Z_]+$/.test(upper)) return null;
  const spelling =
    SCRIPT_SPELLINGS[upper] ??
    upper
      .split('_')
      .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
      .join('_');
  try {
    new RegExp(`\\p{Script=${spelling}}`, 'v');
  } catch {
    return null;
  }
  return `[\\p{Script=${spelling}}]`;
}
