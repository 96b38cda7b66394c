/**
 * A port of java.util.regex.Pattern's parser: the same cursor moves and the same error cases, building
 * the tree of regex-tree.ts with every character class already a JavaScript set expression.
 */
import {
  ANY,
  ASCII,
  asciiToLower,
  asciiToUpper,
  HORIZONTAL_WS,
  intersect,
  isAsciiLetter,
  negate,
  posixPredicate,
  propertyPredicate,
  rangeSet,
  scriptPredicate,
  setOf,
  UNICODE,
  unicodePredicate,
  union,
  VERTICAL_WS,
} from './regex-classes.ts';
import {
  JavaRegexSyntaxError,
  lookbehindIsBounded,
  MAX_REPS,
  type Node,
  UnsupportedJavaRegexError,
} from './regex-tree.ts';
import {
  javaCaseFold,
  javaToLowerCase,
  javaToUpperCase,
  unicodeCaseRangeExtras,
  unicodeCaseVariants,
} from './unicode-case.ts';

const UNIX_LINES = 0x01;
const CASE_INSENSITIVE = 0x02;
const COMMENTS = 0x04;
const MULTILINE = 0x08;
const DOTALL = 0x20;
const UNICODE_CASE = 0x40;
const UNICODE_CHARACTER_CLASS = 0x100;

interface EscapeResult {
  codePoint?: number;
  node?: Node;
  set?: string;
}

export class JavaPatternParser {
  private readonly temp: number[];
  private patternLength: number;
  private cursor = 0;
  private flags0 = 0;
  groupCount = 1;
  readonly namedGroups = new Map<string, number>();

  constructor(pattern: string) {
    const codePoints = [...pattern].map((char) => char.codePointAt(0) as number);
    this.patternLength = codePoints.length;
    this.temp = [...codePoints, 0, 0];
    this.removeQEQuoting();
  }

  private error(message: string): JavaRegexSyntaxError {
    return new JavaRegexSyntaxError(`${message} near index ${Math.max(this.cursor - 1, 0)}`);
  }

  private unsupported(construct: string, why: string): UnsupportedJavaRegexError {
    return new UnsupportedJavaRegexError(`${construct} is not supported: ${why}`);
  }

  private has(flag: number): boolean {
    return (this.flags0 & flag) !== 0;
  }

  private at(index: number): number {
    return this.temp[index] ?? 0;
  }

  /** Pattern.RemoveQEQuoting: \Q...\E becomes escaped characters before parsing. */
  private removeQEQuoting(): void {
    const pLen = this.patternLength;
    const temp = this.temp;
    let i = 0;
    while (i < pLen - 1) {
      if (temp[i] !== 0x5c) i += 1;
      else if (temp[i + 1] !== 0x51) i += 2;
      else break;
    }
    if (i >= pLen - 1) return;
    const out = temp.slice(0, i);
    i += 2;
    let inQuote = true;
    let beginQuote = true;
    while (i < pLen) {
      const c = temp[i++] as number;
      const isAscii = c < 0x80;
      if (!isAscii || isAsciiLetter(c)) out.push(c);
      else if (c >= 0x30 && c <= 0x39) {
        if (beginQuote) out.push(0x5c, 0x78, 0x33);
        out.push(c);
      } else if (c !== 0x5c) {
        if (inQuote) out.push(0x5c);
        out.push(c);
      } else if (inQuote) {
        if (temp[i] === 0x45) {
          i++;
          inQuote = false;
        } else out.push(0x5c, 0x5c);
      } else if (temp[i] === 0x51) {
        i++;
        inQuote = true;
        beginQuote = true;
        continue;
      } else {
        out.push(c);
        if (i !== pLen) out.push(temp[i++] as number);
      }
      beginQuote = false;
    }
    this.temp.length = 0;
    this.temp.push(...out, 0, 0);
    this.patternLength = out.length;
  }

  // Cursor primitives, as Pattern's (COMMENTS mode skips whitespace and # comments).
  private isSpace(ch: number): boolean {
    return ch === 0x20 || (ch >= 0x9 && ch <= 0xd);
  }

  private isLineSeparator(ch: number): boolean {
    if (this.has(UNIX_LINES)) return ch === 0xa;
    return ch === 0xa || ch === 0xd || (ch | 1) === 0x2029 || ch === 0x85;
  }

  private peekPastWhitespace(start: number): number {
    let ch = start;
    while (this.isSpace(ch) || ch === 0x23) {
      while (this.isSpace(ch)) ch = this.at(++this.cursor);
      if (ch === 0x23) {
        ch = this.at(++this.cursor);
        while (ch !== 0 && !this.isLineSeparator(ch)) ch = this.at(++this.cursor);
        if (ch === 0 && this.cursor > this.patternLength) {
          this.cursor = this.patternLength;
          ch = this.at(this.cursor);
        }
      }
    }
    return ch;
  }

  private parsePastWhitespace(start: number): number {
    let ch = start;
    while (this.isSpace(ch) || ch === 0x23) {
      while (this.isSpace(ch)) ch = this.at(this.cursor++);
      if (ch === 0x23) {
        ch = this.at(this.cursor++);
        while (ch !== 0 && !this.isLineSeparator(ch)) ch = this.at(this.cursor++);
        if (ch === 0 && this.cursor > this.patternLength) {
          this.cursor = this.patternLength;
          ch = this.at(this.cursor++);
        }
      }
    }
    return ch;
  }

  private peek(): number {
    const ch = this.at(this.cursor);
    return this.has(COMMENTS) ? this.peekPastWhitespace(ch) : ch;
  }

  private read(): number {
    const ch = this.at(this.cursor++);
    return this.has(COMMENTS) ? this.parsePastWhitespace(ch) : ch;
  }

  private next(): number {
    const ch = this.at(++this.cursor);
    return this.has(COMMENTS) ? this.peekPastWhitespace(ch) : ch;
  }

  private nextEscaped(): number {
    return this.at(++this.cursor);
  }

  private skip(): number {
    const ch = this.at(this.cursor + 1);
    this.cursor += 2;
    return ch;
  }

  private unread(): void {
    this.cursor--;
  }

  private accept(ch: number, message: string): void {
    let test = this.at(this.cursor++);
    if (this.has(COMMENTS)) test = this.parsePastWhitespace(test);
    if (ch !== test) throw this.error(message);
  }

  parse(): Node {
    const root = this.expr();
    if (this.patternLength !== this.cursor) {
      if (this.peek() === 0x29) throw this.error("Unmatched closing ')'");
      throw this.error('Unexpected internal error');
    }
    return root;
  }

  private expr(): Node {
    const branches: Node[] = [];
    for (;;) {
      branches.push(this.sequence());
      if (this.peek() !== 0x7c)
        return branches.length === 1 ? (branches[0] as Node) : { kind: 'alt', branches };
      this.next();
    }
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (;;) {
      const ch = this.peek();
      let node: Node;
      switch (ch) {
        case 0x28: {
          const group = this.group0();
          if (group) items.push(group);
          continue;
        }
        case 0x5b:
          node = { kind: 'set', set: this.clazz(true) };
          break;
        case 0x5c: {
          const escaped = this.nextEscaped();
          if (escaped === 0x70 || escaped === 0x50) {
            let oneLetter = true;
            if (this.next() !== 0x7b) this.unread();
            else oneLetter = false;
            node = { kind: 'set', set: this.family(oneLetter, escaped === 0x50) };
          } else {
            this.unread();
            node = this.atom();
          }
          break;
        }
        case 0x5e:
          this.next();
          node = this.caret();
          break;
        case 0x24:
          this.next();
          node = this.dollar(this.has(MULTILINE));
          break;
        case 0x2e:
          this.next();
          node = {
            kind: 'set',
            set: this.has(DOTALL)
              ? ANY
              : this.has(UNIX_LINES)
                ? '[^\\u{a}]'
                : '[^\\u{a}\\u{d}\\u{85}\\u{2028}\\u{2029}]',
          };
          break;
        case 0x7c:
        case 0x29:
          return { kind: 'seq', items };
        case 0x3f:
        case 0x2a:
        case 0x2b:
          this.next();
          throw this.error(`Dangling meta character '${String.fromCodePoint(ch)}'`);
        case 0:
          if (this.cursor >= this.patternLength) return { kind: 'seq', items };
          node = this.atom();
          break;
        default:
          node = this.atom();
      }
      items.push(this.closure(node));
    }
  }

  private caret(): Node {
    if (!this.has(MULTILINE)) return { kind: 'assert', js: `(?<!${ANY})`, length: 0 };
    if (this.has(UNIX_LINES))
      return { kind: 'assert', js: `(?:(?<!${ANY})|(?<=\\u{a}))(?=${ANY})`, length: 0 };
    return {
      kind: 'assert',
      js: `(?:(?<!${ANY})|(?<=[\\u{a}\\u{85}\\u{2028}\\u{2029}])|(?<=\\u{d})(?!\\u{a}))(?=${ANY})`,
      length: 0,
    };
  }

  private dollar(multiline: boolean): Node {
    const end = `(?!${ANY})`;
    if (this.has(UNIX_LINES)) {
      return {
        kind: 'assert',
        js: multiline ? `(?:${end}|(?=\\u{a}))` : `(?:${end}|(?=\\u{a}${end}))`,
        length: 0,
      };
    }
    if (multiline)
      return {
        kind: 'assert',
        js: `(?:${end}|(?=[\\u{d}\\u{85}\\u{2028}\\u{2029}])|(?<!\\u{d})(?=\\u{a}))`,
        length: 0,
      };
    return {
      kind: 'assert',
      js: `(?:${end}|(?=\\u{d}\\u{a}${end})|(?=[\\u{d}\\u{85}\\u{2028}\\u{2029}]${end})|(?<!\\u{d})(?=\\u{a}${end}))`,
      length: 0,
    };
  }

  private bound(both: boolean): Node {
    const word = this.has(UNICODE_CHARACTER_CLASS) ? UNICODE.word : '[\\p{L}\\p{Nd}_]';
    const base = '[\\p{L}\\p{Nd}]';
    // Java 17's Bound: a word char, or a non-spacing mark that follows (through marks) a letter or digit.
    const left = `(?<=${word}|${base}\\p{Mn}+)`;
    const right = `(?:(?=${word})|(?=\\p{Mn})(?<=${base}\\p{Mn}*))`;
    const js = both
      ? `(?:${left}(?!${right})|(?!${left})${right})`
      : `(?:${left}${right}|(?!${left})(?!${right}))`;
    return { kind: 'assert', js, length: 0 };
  }

  private atom(): Node {
    const chars: number[] = [];
    let prev = -1;
    let ch = this.peek();
    for (;;) {
      let stop = false;
      switch (ch) {
        case 0x2a:
        case 0x2b:
        case 0x3f:
        case 0x7b:
          if (chars.length > 1) {
            this.cursor = prev;
            chars.pop();
          }
          stop = true;
          break;
        case 0x24:
        case 0x2e:
        case 0x5e:
        case 0x28:
        case 0x5b:
        case 0x7c:
        case 0x29:
          stop = true;
          break;
        case 0x5c: {
          ch = this.nextEscaped();
          if (ch === 0x70 || ch === 0x50) {
            if (chars.length > 0) {
              this.unread();
              stop = true;
              break;
            }
            let oneLetter = true;
            if (this.next() !== 0x7b) this.unread();
            else oneLetter = false;
            return { kind: 'set', set: this.family(oneLetter, ch === 0x50) };
          }
          this.unread();
          prev = this.cursor;
          const escaped = this.escape(false, chars.length === 0, false);
          if (escaped.codePoint !== undefined) {
            chars.push(escaped.codePoint);
            ch = this.peek();
            continue;
          }
          if (chars.length === 0) {
            if (escaped.node) return escaped.node;
            return { kind: 'set', set: escaped.set as string };
          }
          this.cursor = prev;
          stop = true;
          break;
        }
        case 0:
          if (this.cursor >= this.patternLength) {
            stop = true;
            break;
          }
          prev = this.cursor;
          chars.push(ch);
          ch = this.next();
          continue;
        default:
          prev = this.cursor;
          chars.push(ch);
          ch = this.next();
          continue;
      }
      if (stop) break;
    }
    if (chars.length === 1) return { kind: 'set', set: this.single(chars[0] as number) };
    return { kind: 'seq', items: chars.map((c) => ({ kind: 'set', set: this.sliceChar(c) }) as Node) };
  }

  /** One char of a literal run (Pattern.newSlice): ASCII or Unicode case folding under (?i). */
  private sliceChar(ch: number): string {
    if (this.has(CASE_INSENSITIVE)) {
      if (this.has(UNICODE_CASE)) return setOf(...unicodeCaseVariants(ch));
      if (ch < 0x80 && isAsciiLetter(ch)) return setOf(asciiToLower(ch), asciiToUpper(ch));
    }
    return setOf(ch);
  }

  /** Pattern.single: a char, case-insensitively as the flags say. */
  private single(ch: number): string {
    if (this.has(CASE_INSENSITIVE)) {
      if (this.has(UNICODE_CASE)) {
        const upper = javaToUpperCase(ch);
        const lower = javaToLowerCase(upper);
        if (upper !== lower)
          return setOf(...unicodeCaseVariants(lower).filter((c) => javaCaseFold(c) === lower || c === lower));
      } else if (ch < 0x80) {
        const lower = asciiToLower(ch);
        const upper = asciiToUpper(ch);
        if (lower !== upper) return setOf(lower, upper);
      }
    }
    return setOf(ch);
  }

  private ref(first: number): Node {
    let refNum = first;
    for (;;) {
      const ch = this.peek();
      if (ch < 0x30 || ch > 0x39) break;
      const extended = refNum * 10 + (ch - 0x30);
      if (this.groupCount - 1 < extended) break;
      refNum = extended;
      this.read();
    }
    return { kind: 'backref', index: refNum, caseInsensitive: this.has(CASE_INSENSITIVE) };
  }

  private escape(inClass: boolean, create: boolean, isRange: boolean): EscapeResult {
    const ch = this.skip();
    const predicate = (set: string): EscapeResult => (create ? { set } : {});
    const assertion = (node: () => Node): EscapeResult =>
      create ? { node: node() } : { node: { kind: 'seq', items: [] } };
    const unicodeClasses = this.has(UNICODE_CHARACTER_CLASS);
    switch (String.fromCodePoint(ch)) {
      case '0':
        return { codePoint: this.octal() };
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        if (inClass) break;
        return create ? { node: this.ref(ch - 0x30) } : { node: { kind: 'seq', items: [] } };
      case 'A':
        if (inClass) break;
        return assertion(() => ({ kind: 'assert', js: `(?<!${ANY})`, length: 0 }));
      case 'B':
        if (inClass) break;
        return assertion(() => this.bound(false));
      case 'D':
        return predicate(negate(unicodeClasses ? UNICODE.digit : ASCII.digit));
      case 'G':
        if (inClass) break;
        // \G is "where the last match ended": the start, for matches() and for replaceFirst's first find().
        return assertion(() => ({ kind: 'assert', js: `(?<!${ANY})`, length: 0 }));
      case 'H':
        return predicate(negate(HORIZONTAL_WS));
      case 'N':
        return { codePoint: this.characterName() };
      case 'R':
        if (inClass) break;
        return assertion(() => ({
          kind: 'assert',
          // \\r\\n first, backing off to the \\r alone, as Java's LineEnding does.
          js: '(?:\\u{d}\\u{a}|[\\u{a}-\\u{d}\\u{85}\\u{2028}\\u{2029}])',
          length: 2,
        }));
      case 'S':
        return predicate(negate(unicodeClasses ? UNICODE.whiteSpace : ASCII.space));
      case 'V':
        return predicate(negate(VERTICAL_WS));
      case 'W':
        return predicate(negate(unicodeClasses ? UNICODE.word : ASCII.word));
      case 'X':
        if (inClass) break;
        if (create)
          throw this.unsupported(
            '\\X (extended grapheme cluster)',
            'JavaScript regular expressions have no grapheme matching',
          );
        return { node: { kind: 'seq', items: [] } };
      case 'Z':
        if (inClass) break;
        return assertion(() => this.dollar(false));
      case 'a':
        return { codePoint: 0x7 };
      case 'b':
        if (inClass) break;
        if (create) {
          if (this.peek() === 0x7b) {
            if (this.skip() === 0x67) {
              if (this.read() === 0x7d)
                throw this.unsupported(
                  '\\b{g} (grapheme boundary)',
                  'JavaScript regular expressions have no grapheme matching',
                );
              break;
            }
            this.unread();
            this.unread();
          }
          return { node: this.bound(true) };
        }
        return { node: { kind: 'seq', items: [] } };
      case 'c':
        return { codePoint: this.control() };
      case 'd':
        return predicate(unicodeClasses ? UNICODE.digit : ASCII.digit);
      case 'e':
        return { codePoint: 0x1b };
      case 'f':
        return { codePoint: 0xc };
      case 'h':
        return predicate(HORIZONTAL_WS);
      case 'k': {
        if (inClass) break;
        if (this.read() !== 0x3c) throw this.error("\\k is not followed by '<' for named capturing group");
        const name = this.groupName(this.read());
        const index = this.namedGroups.get(name);
        if (index === undefined) throw this.error(`named capturing group <${name}> does not exist`);
        return { node: { kind: 'backref', index, caseInsensitive: this.has(CASE_INSENSITIVE) } };
      }
      case 'n':
        return { codePoint: 0xa };
      case 'r':
        return { codePoint: 0xd };
      case 's':
        return predicate(unicodeClasses ? UNICODE.whiteSpace : ASCII.space);
      case 't':
        return { codePoint: 0x9 };
      case 'u':
        return { codePoint: this.unicodeEscape() };
      case 'v':
        if (isRange) return { codePoint: 0xb };
        return predicate(VERTICAL_WS);
      case 'w':
        return predicate(unicodeClasses ? UNICODE.word : ASCII.word);
      case 'x':
        return { codePoint: this.hex() };
      case 'z':
        if (inClass) break;
        return assertion(() => ({ kind: 'assert', js: `(?!${ANY})`, length: 0 }));
      default:
        if ((ch >= 0x41 && ch <= 0x5a) || (ch >= 0x61 && ch <= 0x7a)) break;
        return { codePoint: ch };
    }
    throw this.error('Illegal/unsupported escape sequence');
  }

  private control(): number {
    if (this.cursor < this.patternLength) return this.read() ^ 64;
    throw this.error('Illegal control escape sequence');
  }

  private octal(): number {
    const isOctal = (c: number) => c >= 0x30 && c <= 0x37;
    const n = this.read();
    if (isOctal(n)) {
      const m = this.read();
      if (isOctal(m)) {
        const o = this.read();
        if (isOctal(o) && n <= 0x33) return (n - 0x30) * 64 + (m - 0x30) * 8 + (o - 0x30);
        this.unread();
        return (n - 0x30) * 8 + (m - 0x30);
      }
      this.unread();
      return n - 0x30;
    }
    throw this.error('Illegal octal escape sequence');
  }

  private hexDigit(c: number): number {
    if (c >= 0x30 && c <= 0x39) return c - 0x30;
    if (c >= 0x41 && c <= 0x46) return c - 0x37;
    if (c >= 0x61 && c <= 0x66) return c - 0x57;
    return -1;
  }

  private hex(): number {
    const n = this.read();
    if (this.hexDigit(n) >= 0) {
      const m = this.read();
      if (this.hexDigit(m) >= 0) return this.hexDigit(n) * 16 + this.hexDigit(m);
    } else if (n === 0x7b && this.hexDigit(this.peek()) >= 0) {
      let value = 0;
      let c = this.read();
      while (this.hexDigit(c) >= 0) {
        value = value * 16 + this.hexDigit(c);
        if (value > 0x10ffff) throw this.error('Hexadecimal codepoint is too big');
        c = this.read();
      }
      if (c !== 0x7d) throw this.error('Unclosed hexadecimal escape sequence');
      return value;
    }
    throw this.error('Illegal hexadecimal escape sequence');
  }

  private uxxxx(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const digit = this.hexDigit(this.read());
      if (digit < 0) throw this.error('Illegal Unicode escape sequence');
      value = value * 16 + digit;
    }
    return value;
  }

  private unicodeEscape(): number {
    const n = this.uxxxx();
    if (n >= 0xd800 && n <= 0xdbff) {
      const saved = this.cursor;
      if (this.read() === 0x5c && this.read() === 0x75) {
        const low = this.uxxxx();
        if (low >= 0xdc00 && low <= 0xdfff) return (n - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
      }
      this.cursor = saved;
    }
    return n;
  }

  private characterName(): number {
    if (this.read() === 0x7b) {
      while (this.read() !== 0x7d) {
        if (this.cursor >= this.patternLength) throw this.error('Unclosed character name escape sequence');
      }
      throw this.unsupported('\\N{...} (character name)', 'write the character itself or \\x{...}');
    }
    throw this.error('Illegal character name escape sequence');
  }

  private groupName(first: number): string {
    const isAlnum = (c: number) => isAsciiLetter(c) || (c >= 0x30 && c <= 0x39);
    if (!isAsciiLetter(first)) throw this.error('capturing group name does not start with a Latin letter');
    let name = '';
    let ch = first;
    do {
      name += String.fromCodePoint(ch);
      ch = this.read();
    } while (isAlnum(ch));
    if (ch !== 0x3e) throw this.error("named capturing group is missing trailing '>'");
    return name;
  }

  private family(singleLetter: boolean, complement: boolean): string {
    this.next();
    let name: string;
    if (singleLetter) {
      name = String.fromCodePoint(this.at(this.cursor));
      this.read();
    } else {
      const start = this.cursor;
      this.temp[this.patternLength] = 0x7d;
      while (this.read() !== 0x7d) {}
      this.temp[this.patternLength] = 0;
      const end = this.cursor;
      if (end > this.patternLength) throw this.error('Unclosed character family');
      if (start + 1 >= end) throw this.error('Empty character family');
      name = String.fromCodePoint(...this.temp.slice(start, end - 1));
    }
    const caseInsensitive = this.has(CASE_INSENSITIVE);
    let set: string | null = null;
    const equals = name.indexOf('=');
    if (equals >= 0) {
      const value = name.slice(equals + 1);
      const key = name.slice(0, equals).toLowerCase();
      if (key === 'sc' || key === 'script') set = scriptPredicate(value);
      else if (key === 'blk' || key === 'block')
        throw this.unsupported(
          `\\p{${name}} (Unicode block)`,
          'use \\p{Is<Script>} or a character range instead',
        );
      else if (key === 'gc' || key === 'general_category') set = propertyPredicate(value, caseInsensitive);
      if (set === null) throw this.error(`Unknown Unicode property {name=<${key}>, value=<${value}>}`);
    } else {
      if (name.startsWith('In'))
        throw this.unsupported(
          `\\p{${name}} (Unicode block)`,
          'use \\p{Is<Script>} or a character range instead',
        );
      if (name.startsWith('Is')) {
        const shortName = name.slice(2);
        set =
          unicodePredicate(shortName.toUpperCase(), caseInsensitive) ??
          propertyPredicate(shortName, caseInsensitive) ??
          scriptPredicate(shortName);
      } else {
        if (this.has(UNICODE_CHARACTER_CLASS)) set = posixPredicate(name.toUpperCase(), caseInsensitive);
        set ??= propertyPredicate(name, caseInsensitive);
      }
      if (set === null) throw this.error(`Unknown character property name {${name}}`);
    }
    return complement ? negate(set) : set;
  }

  /** Pattern.clazz: Java's own evaluation order of unions, && and negation. */
  private clazz(consume: boolean): string {
    let prev: string | null = null;
    let curr: string | null = null;
    const bits: number[] = [];
    let hasBits = false;
    let negated = false;
    let ch = this.next();
    if (ch === 0x5e && this.at(this.cursor - 1) === 0x5b) {
      ch = this.next();
      negated = true;
    }
    for (;;) {
      switch (ch) {
        case 0x5b:
          curr = this.clazz(true);
          prev = prev === null ? curr : union(prev, curr);
          ch = this.peek();
          continue;
        case 0x26: {
          ch = this.next();
          if (ch === 0x26) {
            ch = this.next();
            let right: string | null = null;
            while (ch !== 0x5d && ch !== 0x26) {
              if (ch === 0x5b) right = right === null ? this.clazz(true) : union(right, this.clazz(true));
              else {
                this.unread();
                right = right === null ? this.clazz(false) : union(right, this.clazz(false));
              }
              ch = this.peek();
            }
            if (hasBits) {
              if (prev === null) prev = curr = setOf(...bits);
              else prev = union(prev, setOf(...bits));
              hasBits = false;
            }
            if (right !== null) curr = right;
            if (prev === null) {
              if (right === null) throw this.error('Bad class syntax');
              prev = right;
            } else {
              // Java dereferences a missing right-hand side here (a NullPointerException): refused either way.
              if (curr === null) throw this.error('Bad class syntax: nothing to intersect with');
              prev = intersect(prev, curr);
            }
            continue;
          }
          this.unread();
          break;
        }
        case 0:
          if (this.cursor >= this.patternLength) throw this.error('Unclosed character class');
          break;
        case 0x5d:
          if (prev !== null || hasBits) {
            if (consume) this.next();
            let result = prev === null ? setOf(...bits) : hasBits ? union(prev, setOf(...bits)) : prev;
            if (negated) result = negate(result);
            return result;
          }
          break;
        default:
          break;
      }
      const item = this.range(bits);
      if (item === null) hasBits = true;
      else prev = prev === null ? item : union(prev, item);
      curr = item;
      ch = this.peek();
    }
  }

  /** Pattern.bitsOrSingle: Latin-1 chars go to the bit set (case-expanded as the flags say). */
  private bitsOrSingle(bits: number[], ch: number): string | null {
    const unicodeCase = this.has(CASE_INSENSITIVE) && this.has(UNICODE_CASE);
    if (
      ch < 256 &&
      !(unicodeCase && [0xff, 0xb5, 0x49, 0x69, 0x53, 0x73, 0x4b, 0x6b, 0xc5, 0xe5].includes(ch))
    ) {
      if (this.has(CASE_INSENSITIVE)) {
        if (ch < 0x80) bits.push(asciiToUpper(ch), asciiToLower(ch));
        else if (this.has(UNICODE_CASE)) {
          for (const c of [javaToLowerCase(ch), javaToUpperCase(ch)]) if (c < 256) bits.push(c);
        }
      }
      bits.push(ch);
      return null;
    }
    return this.single(ch);
  }

  private range(bits: number[]): string | null {
    let ch = this.peek();
    if (ch === 0x5c) {
      ch = this.nextEscaped();
      if (ch === 0x70 || ch === 0x50) {
        const complement = ch === 0x50;
        let oneLetter = true;
        if (this.next() !== 0x7b) this.unread();
        else oneLetter = false;
        return this.family(oneLetter, complement);
      }
      const isRange = this.at(this.cursor + 1) === 0x2d;
      this.unread();
      const escaped = this.escape(true, true, isRange);
      if (escaped.codePoint === undefined) return escaped.set as string;
      ch = escaped.codePoint;
    } else this.next();
    if (this.peek() === 0x2d) {
      const endRange = this.at(this.cursor + 1);
      if (endRange === 0x5b) return this.bitsOrSingle(bits, ch);
      if (endRange !== 0x5d) {
        this.next();
        let m = this.peek();
        if (m === 0x5c) m = this.escape(true, false, true).codePoint ?? -1;
        else this.next();
        if (m < ch) throw this.error('Illegal character range');
        if (this.has(CASE_INSENSITIVE)) {
          if (this.has(UNICODE_CASE)) {
            const extras = unicodeCaseRangeExtras(ch, m);
            return extras.length > 0 ? union(rangeSet(ch, m), setOf(...extras)) : rangeSet(ch, m);
          }
          const extras: number[] = [];
          for (let c = 0x41; c <= 0x7a; c++) {
            if (!isAsciiLetter(c) || (c >= ch && c <= m)) continue;
            const other = c < 0x61 ? c + 0x20 : c - 0x20;
            if (other >= ch && other <= m) extras.push(c);
          }
          return extras.length > 0 ? union(rangeSet(ch, m), setOf(...extras)) : rangeSet(ch, m);
        }
        return rangeSet(ch, m);
      }
    }
    return this.bitsOrSingle(bits, ch);
  }

  private group0(): Node | null {
    const save = this.flags0;
    let node: Node;
    let ch = this.next();
    if (ch === 0x3f) {
      ch = this.skip();
      switch (ch) {
        case 0x3a:
          node = { kind: 'group', type: 'plain', body: this.expr() };
          break;
        case 0x3d:
        case 0x21:
          node = { kind: 'group', type: ch === 0x3d ? 'ahead' : 'not-ahead', body: this.expr() };
          break;
        case 0x3e:
          node = { kind: 'group', type: 'atomic', body: this.expr() };
          break;
        case 0x3c: {
          ch = this.read();
          if (ch !== 0x3d && ch !== 0x21) {
            const name = this.groupName(ch);
            if (this.namedGroups.has(name))
              throw this.error(`Named capturing group <${name}> is already defined`);
            const index = this.groupCount++;
            this.namedGroups.set(name, index);
            node = { kind: 'group', type: 'capture', index, name, body: this.expr() };
            break;
          }
          const body = this.expr();
          if (!lookbehindIsBounded(body))
            throw this.error('Look-behind group does not have an obvious maximum length');
          node = { kind: 'group', type: ch === 0x3d ? 'behind' : 'not-behind', body };
          break;
        }
        case 0x24:
        case 0x40:
          throw this.error('Unknown group type');
        default: {
          this.unread();
          this.addFlag();
          ch = this.read();
          if (ch === 0x29) return null;
          if (ch !== 0x3a) throw this.error('Unknown inline modifier');
          node = { kind: 'group', type: 'plain', body: this.expr() };
        }
      }
    } else {
      const index = this.groupCount++;
      node = { kind: 'group', type: 'capture', index, body: this.expr() };
    }
    this.accept(0x29, 'Unclosed group');
    this.flags0 = save;
    return this.closure(node);
  }

  private addFlag(): void {
    let ch = this.peek();
    for (;;) {
      switch (ch) {
        case 0x69:
          this.flags0 |= CASE_INSENSITIVE;
          break;
        case 0x6d:
          this.flags0 |= MULTILINE;
          break;
        case 0x73:
          this.flags0 |= DOTALL;
          break;
        case 0x64:
          this.flags0 |= UNIX_LINES;
          break;
        case 0x75:
          this.flags0 |= UNICODE_CASE;
          break;
        case 0x63:
          throw this.unsupported('(?c) canonical equivalence', 'JavaScript has no equivalent');
        case 0x78:
          this.flags0 |= COMMENTS;
          break;
        case 0x55:
          this.flags0 |= UNICODE_CHARACTER_CLASS | UNICODE_CASE;
          break;
        case 0x2d:
          this.next();
          this.subFlag();
          return;
        default:
          return;
      }
      ch = this.next();
    }
  }

  private subFlag(): void {
    let ch = this.peek();
    const masks: Record<number, number> = {
      105: CASE_INSENSITIVE,
      109: MULTILINE,
      115: DOTALL,
      100: UNIX_LINES,
      117: UNICODE_CASE,
      99: 0,
      120: COMMENTS,
      85: UNICODE_CHARACTER_CLASS | UNICODE_CASE,
    };
    for (;;) {
      const mask = masks[ch];
      if (mask === undefined) return;
      this.flags0 &= ~mask;
      ch = this.next();
    }
  }

  private quantifierMode(): 'greedy' | 'lazy' | 'possessive' {
    const ch = this.next();
    if (ch === 0x3f) {
      this.next();
      return 'lazy';
    }
    if (ch === 0x2b) {
      this.next();
      return 'possessive';
    }
    return 'greedy';
  }

  private closure(body: Node): Node {
    const ch = this.peek();
    const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
    switch (ch) {
      case 0x3f:
        return { kind: 'quant', body, min: 0, max: 1, mode: this.quantifierMode() };
      case 0x2a:
        return { kind: 'quant', body, min: 0, max: MAX_REPS, mode: this.quantifierMode() };
      case 0x2b:
        return { kind: 'quant', body, min: 1, max: MAX_REPS, mode: this.quantifierMode() };
      case 0x7b: {
        let c = this.skip();
        if (!isDigit(c)) throw this.error('Illegal repetition');
        let min = 0;
        let max: number;
        do {
          min = min * 10 + (c - 0x30);
          if (min > MAX_REPS) throw this.error('Illegal repetition range');
          c = this.read();
        } while (isDigit(c));
        if (c === 0x2c) {
          c = this.read();
          if (c === 0x7d) {
            this.unread();
            return { kind: 'quant', body, min, max: MAX_REPS, mode: this.quantifierMode() };
          }
          max = 0;
          while (isDigit(c)) {
            max = max * 10 + (c - 0x30);
            if (max > MAX_REPS) throw this.error('Illegal repetition range');
            c = this.read();
          }
        } else max = min;
        if (c !== 0x7d) throw this.error('Unclosed counted closure');
        if (max < min) throw this.error('Illegal repetition range');
        this.unread();
        return { kind: 'quant', body, min, max, mode: this.quantifierMode() };
      }
      default:
        return body;
    }
  }
}
