/**
 * Generators for the Java syntaxes Connect's transforms take as config: SimpleDateFormat patterns
 * (with text that roughly fits them, to exercise lenient parsing), java.util.regex patterns (with
 * strings that roughly match them), Matcher replacement strings and Values.parseString literals.
 * "Roughly" on purpose: both engines judge each input, so near misses are as useful as hits.
 */
import fc from 'fast-check';
import { NUMERIC_TEXT } from './arbitraries.ts';

// --- SimpleDateFormat -----------------------------------------------------------------------------

export type DateToken = { letter: string; count: number } | { literal: string };

const PATTERN_LETTERS = 'GyYMLwWDdFEuaHkKhmsSzZX';
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const dateToken: fc.Arbitrary<DateToken> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      letter: fc.constantFrom(...PATTERN_LETTERS),
      count: fc.integer({ min: 1, max: 5 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      letter: fc.constantFrom('y', 'M', 'd', 'H', 'm', 's', 'S'),
      count: fc.constantFrom(2, 4),
    }),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('-', ':', ' ', '/', '.', ',', 'T', "'T'", "'at'", "''", "'o''clock'", '_', '年', 'x')
      .map((literal) => ({ literal })),
  },
  { weight: 1, arbitrary: fc.constantFrom('b', 'q', 'J', 'e', 'c', "'open").map((literal) => ({ literal })) },
);

export const datePatternTokens: fc.Arbitrary<DateToken[]> = fc.oneof(
  { weight: 6, arbitrary: fc.array(dateToken, { minLength: 1, maxLength: 7 }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(
        'yyyy-MM-dd',
        "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        'yy',
        'YYYY-ww',
        "YYYY'W'ww",
        'dd/MM/yy HH:mm',
        'EEE, d MMM yyyy HH:mm:ss Z',
        'yyyyMMdd',
        'yyyyMMddHHmmss',
        'h:mm a',
        'MMMM',
        'MMM d, y',
        'D',
        'u F W',
        'G yyyy',
        "''yy''",
        'zzzz',
        'X',
        'XXX',
        'kk:KK',
        'yyyyy.MMMMM.dd GGG hh:mm aaa',
      )
      .map((pattern) => [{ literal: `\u0000${pattern}` }]),
  },
);

/** The pattern text; a token list holding one "\0..." literal is a whole pattern taken verbatim. */
export function renderDatePattern(tokens: DateToken[]): string {
  const [only] = tokens;
  if (tokens.length === 1 && only && 'literal' in only && only.literal.startsWith('\u0000'))
    return only.literal.slice(1);
  return tokens
    .map((token) => ('letter' in token ? token.letter.repeat(token.count) : token.literal))
    .join('');
}

const digits = (min: number, max: number) => fc.integer({ min, max }).map((n) => String(n));

function textForToken(token: DateToken): fc.Arbitrary<string> {
  if (!('letter' in token)) {
    const literal = token.literal.startsWith('\u0000') ? '' : token.literal;
    return fc.constant(literal.replace(/^'(.*)'$/, '$1').replace(/''/g, "'"));
  }
  const width = token.count;
  const padded = (max: number) =>
    fc.oneof(
      fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, '0')),
      fc.integer({ min: 0, max }).map(String),
    );
  switch (token.letter) {
    case 'y':
    case 'Y':
      return fc.oneof(
        padded(width === 2 ? 99 : 2100),
        digits(0, 99).map((n) => n.padStart(2, '0')),
        fc.constantFrom('1999', '2024', '0', '-5', '99', '12345'),
      );
    case 'M':
    case 'L':
      return fc.oneof(
        padded(13),
        fc.constantFrom(...MONTHS),
        fc.constantFrom(...MONTHS.map((m) => m.slice(0, 3))),
        fc.constantFrom('jan', 'SEPT', 'Sept'),
      );
    case 'E':
      return fc.oneof(
        fc.constantFrom(...DAYS),
        fc.constantFrom(...DAYS.map((d) => d.slice(0, 3))),
        fc.constant('mon'),
      );
    case 'a':
      return fc.constantFrom('AM', 'PM', 'am', 'pm', 'A', 'p.m.');
    case 'G':
      return fc.constantFrom('AD', 'BC', 'ad', 'A');
    case 'z':
      return fc.constantFrom(
        'UTC',
        'GMT',
        'PST',
        'GMT+02:00',
        'GMT-5',
        'Coordinated Universal Time',
        'CET',
        '+0100',
      );
    case 'Z':
      return fc.constantFrom('+0000', '-0530', '+01:00', 'Z', 'GMT', '+1');
    case 'X':
      return fc.constantFrom('Z', '+01', '-0530', '+05:30', '+1', 'z');
    case 'S':
      return padded(1200);
    case 'D':
      return padded(370);
    case 'u':
      return padded(8);
    default:
      return padded(62);
  }
}

/** Text shaped like the pattern, with plausible mistakes, for lenient parsing. */
export function textForPattern(tokens: DateToken[]): fc.Arbitrary<string> {
  const [only] = tokens;
  if (tokens.length === 1 && only && 'literal' in only && only.literal.startsWith('\u0000')) {
    return fc.oneof(
      fc.constantFrom(
        '2024-02-29',
        '2024-02-29T13:45:00.000Z',
        '99',
        '2099-W01',
        '31/12/99 23:59',
        'Thu, 29 Feb 2024 13:45:00 +0100',
        '20240229',
        '1:05 PM',
        'March',
        'Feb 29, 2024',
        '60',
        'AD 2024',
        "'24'",
        'Coordinated Universal Time',
        'Z',
        '+05:30',
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
    );
  }
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(...tokens.map(textForToken)).map((parts) => parts.join('')) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom('NaN', '∞', '-∞', '-5', '1E3', '٢٠٢٤', ' 7', '\t7', '+7') },
  );
}

// --- java.util.regex ------------------------------------------------------------------------------

export type RegexNode =
  | { kind: 'literal'; text: string; sample: string }
  | { kind: 'class'; text: string; samples: string[] }
  | { kind: 'group'; open: string; child: RegexNode }
  | { kind: 'alt'; children: RegexNode[] }
  | { kind: 'seq'; children: RegexNode[] }
  | { kind: 'quant'; child: RegexNode; quantifier: string; min: number; max: number }
  | { kind: 'raw'; text: string };

const LITERALS: Array<[string, string]> = [
  ['a', 'a'],
  ['b', 'b'],
  ['A', 'A'],
  ['z', 'z'],
  ['0', '0'],
  ['9', '9'],
  ['-', '-'],
  ['_', '_'],
  ['\\.', '.'],
  [' ', ' '],
  ['é', 'é'],
  ['É', 'É'],
  ['ß', 'ß'],
  ['K', 'K'],
  ['\u212a', '\u212a'],
  ['\\n', '\n'],
  ['/', '/'],
  ['\\$', '$'],
  ['#', '#'],
  ['\\x41', 'A'],
  ['\\u00e9', 'é'],
  ['\\x{1F600}', '😀'],
  ['\\t', '\t'],
  ['\\0101', 'A'],
  ['\\-', '-'],
  ['\\@', '@'],
  ['}', '}'],
  [']', ']'],
  ['\\cA', '\u0001'],
  ['😀', '😀'],
];

const CLASSES: Array<[string, string[]]> = [
  ['.', ['a', '\n', '\r', '\u0085', '😀']],
  ['\\d', ['5', '٣']],
  ['\\D', ['x', '٣']],
  ['\\w', ['a', '_', 'é', 'ſ']],
  ['\\W', ['-', 'é']],
  ['\\s', [' ', '\t', '\u000b', '\u00a0', '\u2003']],
  ['\\S', ['x', '\u00a0']],
  ['\\h', [' ', '\u00a0', '\t']],
  ['\\H', ['x']],
  ['\\v', ['\n', '\u000b', '\u2028']],
  ['\\V', ['x']],
  ['\\R', ['\n', '\r\n', '\r']],
  ['\\p{Lower}', ['a', 'é', 'A']],
  ['\\p{Upper}', ['A', 'É', 'a']],
  ['\\p{Alpha}', ['a', 'Z', 'é']],
  ['\\p{Digit}', ['7', '٣']],
  ['\\p{Alnum}', ['a', '7', 'é']],
  ['\\p{Punct}', ['!', '-', '~', '¡']],
  ['\\p{Graph}', ['!', 'a', ' ']],
  ['\\p{Print}', [' ', 'a', '\t']],
  ['\\p{Blank}', [' ', '\t', '\u00a0']],
  ['\\p{Cntrl}', ['\u0001', '\u007f', '\u0085']],
  ['\\p{XDigit}', ['f', 'F', 'g']],
  ['\\p{Space}', [' ', '\u000b', '\u00a0']],
  ['\\p{ASCII}', ['a', 'é']],
  ['\\P{Lower}', ['A', 'a']],
  ['\\p{L}', ['a', 'é', '日', '1']],
  ['\\pL', ['a', '1']],
  ['\\p{Lu}', ['A', 'a', 'É']],
  ['\\p{IsLu}', ['A']],
  ['\\p{Ll}', ['a']],
  ['\\p{N}', ['1', '٣', 'Ⅻ']],
  ['\\p{IsLatin}', ['a', 'é', 'α']],
  ['\\p{IsGreek}', ['α', 'a']],
  ['\\p{script=Latin}', ['a']],
  ['\\p{InGreek}', ['α']],
  ['\\p{IsAlphabetic}', ['a', 'é', '1']],
  ['\\p{IsDigit}', ['1', '٣']],
  ['\\p{IsWhite_Space}', [' ', '\u00a0']],
  ['\\p{javaLowerCase}', ['a', 'ß', 'A']],
  ['\\p{javaUpperCase}', ['A', 'a']],
  ['\\p{javaWhitespace}', [' ', '\u00a0', '\u001c']],
  ['\\p{javaLetterOrDigit}', ['a', '1', '-']],
  ['\\p{Emoji}', ['😀']],
  ['[abc]', ['a', 'c', 'd']],
  ['[^abc]', ['d', 'a']],
  ['[a-f]', ['c', 'C', 'g']],
  ['[A-Z0-9_]', ['Q', '5', 'q']],
  ['[a-z&&[^aeiou]]', ['b', 'a']],
  ['[a-d[m-p]]', ['b', 'n', 'x']],
  ['[\\w&&\\D]', ['a', '1']],
  ['[^\\d\\s]', ['x', '1', ' ']],
  ['[.-]', ['.', '-', 'x']],
  ['[\\p{L}-]', ['é', '-']],
  ['[]a]', [']', 'a']],
  ['[\\Q-]\\E]', ['-', ']']],
  ['[^]', ['x']],
  ['[a-]', ['a', '-']],
  ['[\\x{1F600}-\\x{1F64F}]', ['😀', 'a']],
];

const ANCHORS = ['^', '$', '\\b', '\\B', '\\A', '\\z', '\\Z', '\\G', '\\b{g}'];
const FLAGS = [
  '(?i)',
  '(?-i)',
  '(?s)',
  '(?m)',
  '(?x)',
  '(?u)',
  '(?iu)',
  '(?d)',
  '(?U)',
  '(?im)',
  '(?i-s)',
  '(?c)',
];
const GROUP_OPENERS = [
  '(',
  '(',
  '(?:',
  '(?<g>',
  '(?<name2>',
  '(?=',
  '(?!',
  '(?<=',
  '(?<!',
  '(?>',
  '(?i:',
  '(?-i:',
  '(?s:',
  '(?x:',
];
const QUANTIFIERS: Array<[string, number, number]> = [
  ['*', 0, 3],
  ['+', 1, 3],
  ['?', 0, 1],
  ['{2}', 2, 2],
  ['{1,3}', 1, 3],
  ['{2,}', 2, 4],
  ['{0}', 0, 0],
  ['{,2}', 0, 2],
  ['{', 0, 0],
];

const regexLeaf: fc.Arbitrary<RegexNode> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .constantFrom(...LITERALS)
      .map(([text, sample]) => ({ kind: 'literal', text, sample }) as RegexNode),
  },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(...CLASSES)
      .map(([text, samples]) => ({ kind: 'class', text, samples }) as RegexNode),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...ANCHORS, ...FLAGS).map((text) => ({ kind: 'raw', text }) as RegexNode),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(
        '\\Qa.b\\E',
        '\\Q(\\E',
        '\\Q\\E',
        '\\Qx\\\\E',
        '\\1',
        '\\k<g>',
        '\\2',
        '\\Qopen',
        '(?#c)',
        '\\N{LATIN SMALL LETTER A}',
        '\\X',
        '\\e',
      )
      .map((text) => ({ kind: 'raw', text }) as RegexNode),
  },
);

function regexNode(depth: number): fc.Arbitrary<RegexNode> {
  if (depth >= 3) return regexLeaf;
  const child = regexNode(depth + 1);
  return fc.oneof(
    { weight: 8, arbitrary: regexLeaf },
    {
      weight: 3,
      arbitrary: fc
        .array(child, { minLength: 1, maxLength: 4 })
        .map((children) => ({ kind: 'seq', children }) as RegexNode),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(child, { minLength: 2, maxLength: 3 })
        .map((children) => ({ kind: 'alt', children }) as RegexNode),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ open: fc.constantFrom(...GROUP_OPENERS), child })
        .map(({ open, child: inner }) => ({ kind: 'group', open, child: inner }) as RegexNode),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          child: depth >= 2 ? regexLeaf : child,
          q: fc.constantFrom(...QUANTIFIERS),
          mode: fc.constantFrom('', '', '?', '+'),
        })
        .map(
          ({ child: inner, q: [quantifier, min, max], mode }) =>
            ({ kind: 'quant', child: inner, quantifier: quantifier + mode, min, max }) as RegexNode,
        ),
    },
  );
}

export function renderRegex(node: RegexNode): string {
  switch (node.kind) {
    case 'literal':
    case 'class':
    case 'raw':
      return node.text;
    case 'group':
      return `${node.open}${renderRegex(node.child)})`;
    case 'alt':
      return node.children.map(renderRegex).join('|');
    case 'seq':
      return node.children
        .map((child) => (child.kind === 'alt' ? `(?:${renderRegex(child)})` : renderRegex(child)))
        .join('');
    case 'quant': {
      const inner = renderRegex(node.child);
      const atom =
        node.child.kind === 'literal' || node.child.kind === 'class' || node.child.kind === 'group'
          ? inner
          : `(?:${inner})`;
      return `${atom}${node.quantifier}`;
    }
  }
}

function swapCase(text: string): string {
  return text === text.toUpperCase() ? text.toLowerCase() : text.toUpperCase();
}

/** Strings that follow the regex's structure (so many of them match), with case swaps and stray chars. */
export function regexSample(node: RegexNode): fc.Arbitrary<string> {
  switch (node.kind) {
    case 'literal':
      return fc.oneof(
        { weight: 5, arbitrary: fc.constant(node.sample) },
        { weight: 1, arbitrary: fc.constant(swapCase(node.sample)) },
      );
    case 'class':
      return fc.constantFrom(...node.samples);
    case 'raw': {
      const quoted = /^\\Q(.*?)(\\E)?$/.exec(node.text);
      if (quoted) return fc.constant(quoted[1] ?? '');
      return fc.constantFrom('', '', '\n', 'a');
    }
    case 'group':
      return node.open.startsWith('(?=') ||
        node.open.startsWith('(?!') ||
        node.open.startsWith('(?<=') ||
        node.open.startsWith('(?<!')
        ? fc.constant('')
        : regexSample(node.child);
    case 'alt':
      return fc.oneof(...node.children.map(regexSample));
    case 'seq':
      return fc.tuple(...node.children.map(regexSample)).map((parts) => parts.join(''));
    case 'quant':
      return fc
        .array(regexSample(node.child), { minLength: node.min, maxLength: Math.max(node.min, node.max) })
        .map((parts) => parts.join(''));
  }
}

export interface RegexCase {
  pattern: string;
  inputs: string[];
}

export const javaRegex: fc.Arbitrary<RegexCase> = regexNode(0).chain((node) =>
  fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: regexSample(node) },
        {
          weight: 1,
          arbitrary: fc.tuple(regexSample(node), fc.constantFrom('x', '\n', 'A', '')).map(([a, b]) => a + b),
        },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 5 }) },
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((inputs) => ({ pattern: renderRegex(node), inputs })),
);

export const javaReplacement: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom(
      'x',
      '-',
      'v2',
      '$0',
      '$1',
      '$2',
      '$12',
      '${g}',
      '${name2}',
      '${nope}',
      '\\$',
      '\\\\',
      '\\x',
      '$',
      '\\',
      '$a',
      'é',
    ),
    {
      maxLength: 4,
    },
  )
  .map((parts) => parts.join(''));

// --- Values.parseString ---------------------------------------------------------------------------

export const connectLiteral: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NUMERIC_TEXT) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '[1, 2 ,3]',
      '[1,2.5]',
      '[]',
      '[null]',
      '[1,"a"]',
      '[true,false]',
      '{a:1}',
      '{"a":1,"b":2}',
      '{"a":[1,2]}',
      '{}',
      '{1:2}',
      '[1,',
      '[,]',
      '{"a"}',
      'true}',
      ' true ',
      '"quoted"',
      '["x","y"]',
      '2024-02-29',
      '12:30:00.000Z',
      '2024-02-29T13:45:00.000Z',
      '2024-13-45',
      '[2024-02-29]',
      '1.0E10',
      '12345678901234567890',
      '123456789012345678901234',
      '0.000001',
      '1e-7',
      '3.4028236E38',
      '1.7976931348623157E309',
      '-0.0',
      '0.0',
      '100.0',
      'a\\:b',
      'a,b',
      'a:b',
      '\\"',
      '[\\"]',
      '{"k":null}',
      '[[1],[2.0]]',
      '[1,true]',
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom('[', ']', '{', '}', ',', ':', '"', '1', '2.5', 'a', ' ', 'true', 'null', '-'), {
        maxLength: 7,
      })
      .map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);
