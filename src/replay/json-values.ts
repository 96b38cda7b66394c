/**
 * Splits a stream of text into its top-level JSON values, chunk by chunk, without parsing them: NDJSON
 * (one value per line), Firehose's concatenated records (`{...}{...}` with nothing between them), pretty
 * printed documents spanning many lines, and a top-level array, whose elements come out one by one so a
 * huge array never has to fit in memory. Each value's text is handed on whole, to be parsed on its own.
 *
 * Hand-written rather than a streaming JSON library: those (stream-json, @streamparser/json) build every
 * value token by token in JavaScript, several times slower than one native `JSON.parse` of the value's
 * text, and replay reads every byte of a backfill through here. This only tracks enough structure to
 * find where a value ends: strings (found with `indexOf`), nesting, and which token may come next.
 *
 * Broken input never swallows its neighbours. When the structure is impossible (a truncated line followed
 * by the next record, a raw newline inside a string, text that is not JSON at all), the broken part is
 * cut off as a value of its own, and JSON.parse then reports it, while scanning resumes at the next line
 * (or at the point of the break when it is the start of a line, the usual sign of a truncated record).
 */

export interface JsonValueText {
  text: string;
  /** 1-based line where the value starts. */
  line: number;
  /** 1-based position of the value among those that start on its line (Firehose puts all on line 1). */
  onLine: number;
  /** The element's index when the value is an element of a top-level array. */
  arrayIndex?: number;
}

enum Expect {
  /** Between top-level values (or array elements at the top level). */
  TopValue,
  /** After `{`: a key or `}`. */
  KeyOrEnd,
  /** After `,` in an object. */
  Key,
  Colon,
  /** After `:` or `,` in an array. */
  Value,
  /** After `[`: a value or `]`. */
  ValueOrEnd,
  /** After a value inside a container: `,` or the container's end. */
  CommaOrEnd,
}

const OBJECT = 0x7b; // {
const OBJECT_END = 0x7d; // }
const ARRAY = 0x5b; // [
const ARRAY_END = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;
const BOM = 0xfeff;

function isSpace(code: number): boolean {
  return code === 0x20 || code === NEWLINE || code === 0x0d || code === 0x09;
}

/** Characters of numbers and of true/false/null; anything else ends such a token. */
function isLiteralChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    code === 0x2d ||
    code === 0x2b ||
    code === 0x2e
  );
}

/**
 * Feed text with `push`, take the finished values it returns, and call `end` for whatever is left. The
 * state survives between chunks, so a value may span any number of them.
 */
export class JsonValueSplitter {
  /** Unconsumed text, from the first character not yet handed out. */
  #buffer = '';
  /** Where scanning continues in #buffer. */
  #pos = 0;
  /** Where the current value starts in #buffer, or -1 between values. */
  #start = -1;
  /** The first newline at or after the last search in #buffer; -1 unknown, Infinity none. */
  #newline = -1;
  #expect: Expect = Expect.TopValue;
  /** Open containers of the current value: true for an object, false for an array. */
  #stack: boolean[] = [];
  /** Whether we are inside a top-level array whose elements are handed out one by one. */
  #inTopArray = false;
  #arrayIndex = 0;
  #line = 1;
  #onLine = 0;
  #startLine = 1;
  #startOnLine = 1;
  #first = true;

  push(chunk: string): JsonValueText[] {
    const out: JsonValueText[] = [];
    if (this.#first && chunk.length > 0) {
      this.#first = false;
      if (chunk.charCodeAt(0) === BOM) chunk = chunk.slice(1);
    }
    const keepFrom = this.#start >= 0 ? this.#start : this.#pos;
    this.#buffer = keepFrom >= this.#buffer.length ? chunk : this.#buffer.slice(keepFrom) + chunk;
    this.#pos -= keepFrom;
    if (this.#start >= 0) this.#start = 0;
    this.#newline = -1;
    this.#scan(out, false);
    return out;
  }

  /** The input ended: a value still open is incomplete, and comes out as is (JSON.parse will say so). */
  end(): JsonValueText[] {
    const out: JsonValueText[] = [];
    this.#scan(out, true);
    if (this.#start >= 0) {
      const text = this.#buffer.slice(this.#start);
      if (text.trim() !== '') this.#emit(out, text);
    }
    this.#buffer = '';
    this.#start = -1;
    this.#pos = 0;
    this.#newline = -1;
    return out;
  }

  #emit(out: JsonValueText[], text: string): void {
    const value: JsonValueText = { text, line: this.#startLine, onLine: this.#startOnLine };
    if (this.#inTopArray) value.arrayIndex = this.#arrayIndex++;
    out.push(value);
  }

  #begin(at: number): void {
    this.#start = at;
    this.#startLine = this.#line;
    this.#onLine += 1;
    this.#startOnLine = this.#onLine;
  }

  /** The value is complete at `end` (exclusive). */
  #finish(out: JsonValueText[], end: number): void {
    this.#emit(out, this.#buffer.slice(this.#start, end));
    this.#start = -1;
    this.#stack.length = 0;
    this.#expect = this.#inTopArray ? Expect.CommaOrEnd : Expect.TopValue;
  }

  /** The first newline at or after `at`, or -1. Cached: strings ask for it once each. */
  #newlineFrom(at: number): number {
    if (this.#newline === -1 || this.#newline < at) {
      const found = this.#buffer.indexOf('\n', at);
      this.#newline = found === -1 ? Number.POSITIVE_INFINITY : found;
    }
    return this.#newline === Number.POSITIVE_INFINITY ? -1 : this.#newline;
  }

  /**
   * The structure broke at `at`. The value so far is cut off as broken: up to `at` when `at` starts a
   * line (the value before was truncated and a new one begins here), else to the end of that line.
   * Scanning resumes there, outside any value and outside any top-level array. False when the end of
   * the line has not arrived yet.
   */
  #breakAt(out: JsonValueText[], at: number, atEnd: boolean): boolean {
    const buffer = this.#buffer;
    if (this.#start < 0) this.#begin(at);
    let lineStart = at;
    while (lineStart > this.#start && buffer.charCodeAt(lineStart - 1) !== NEWLINE) lineStart--;
    let onlySpaceBefore = true;
    for (let index = lineStart; index < at; index++) {
      if (!isSpace(buffer.charCodeAt(index))) {
        onlySpaceBefore = false;
        break;
      }
    }
    let cut: number;
    if (onlySpaceBefore && lineStart > this.#start) {
      cut = lineStart;
    } else {
      const newline = this.#newlineFrom(at);
      if (newline === -1 && !atEnd) {
        this.#pos = at;
        return false;
      }
      // The newline itself is left for the scan, which counts it.
      cut = newline === -1 ? buffer.length : newline;
    }
    this.#emit(out, buffer.slice(this.#start, cut));
    this.#start = -1;
    this.#stack.length = 0;
    this.#inTopArray = false;
    this.#expect = Expect.TopValue;
    this.#pos = cut;
    return true;
  }

  #scan(out: JsonValueText[], atEnd: boolean): void {
    const buffer = this.#buffer;
    const length = buffer.length;
    let pos = this.#pos;
    while (pos < length) {
      const code = buffer.charCodeAt(pos);
      if (isSpace(code)) {
        if (code === NEWLINE) {
          this.#line++;
          this.#onLine = 0;
        }
        pos++;
        continue;
      }
      const expect = this.#expect;
      if (expect === Expect.TopValue) {
        if (code === ARRAY && !this.#inTopArray) {
          // A top-level array: its elements are the values.
          this.#inTopArray = true;
          this.#arrayIndex = 0;
          this.#expect = Expect.ValueOrEnd;
          pos++;
          continue;
        }
        if (code === OBJECT) {
          this.#begin(pos);
          this.#stack.push(true);
          this.#expect = Expect.KeyOrEnd;
          pos++;
          continue;
        }
        // Not JSON we can split on (a stray word, a bare number): the rest of the line is one value.
        const newline = this.#newlineFrom(pos);
        if (newline === -1 && !atEnd) break;
        const end = newline === -1 ? length : newline;
        this.#begin(pos);
        this.#finish(out, end);
        pos = end;
        continue;
      }
      // Inside a value, or between the elements of a top-level array.
      const depth = this.#stack.length;
      const topArrayLevel = depth === 0;
      let broken = false;
      if (code === QUOTE) {
        if (
          expect !== Expect.KeyOrEnd &&
          expect !== Expect.Key &&
          expect !== Expect.Value &&
          expect !== Expect.ValueOrEnd
        ) {
          broken = true;
        } else {
          const close = this.#stringEnd(pos + 1);
          if (close === -1) break; // the string continues in the next chunk
          if (close === -2) {
            broken = true; // a raw newline inside a string: not JSON
          } else if (topArrayLevel) {
            this.#begin(pos);
            pos = close + 1;
            this.#finish(out, pos);
            continue;
          } else {
            this.#expect =
              expect === Expect.KeyOrEnd || expect === Expect.Key ? Expect.Colon : Expect.CommaOrEnd;
            pos = close + 1;
            continue;
          }
        }
      } else if (code === OBJECT || code === ARRAY) {
        if (
          (expect !== Expect.Value && expect !== Expect.ValueOrEnd) ||
          // `{` in the first column inside a value: pretty printers indent nested values, so this is the
          // next record after one cut off right after a `:`, `,` or `[` (where a value may start).
          (!topArrayLevel && buffer.charCodeAt(pos - 1) === NEWLINE)
        ) {
          broken = true;
        } else {
          if (topArrayLevel) this.#begin(pos);
          this.#stack.push(code === OBJECT);
          this.#expect = code === OBJECT ? Expect.KeyOrEnd : Expect.ValueOrEnd;
          pos++;
          continue;
        }
      } else if (code === OBJECT_END || code === ARRAY_END) {
        const isObject = code === OBJECT_END;
        const inObject = !topArrayLevel && this.#stack[depth - 1] === true;
        const allowed = isObject
          ? inObject && (expect === Expect.KeyOrEnd || expect === Expect.CommaOrEnd)
          : !inObject && (expect === Expect.ValueOrEnd || expect === Expect.CommaOrEnd);
        if (!allowed) {
          broken = true;
        } else {
          pos++;
          if (topArrayLevel) {
            // The top-level array ends.
            this.#inTopArray = false;
            this.#expect = Expect.TopValue;
            continue;
          }
          this.#stack.pop();
          if (this.#stack.length === 0) this.#finish(out, pos);
          else this.#expect = Expect.CommaOrEnd;
          continue;
        }
      } else if (code === COMMA) {
        if (expect !== Expect.CommaOrEnd) {
          broken = true;
        } else {
          this.#expect = topArrayLevel || this.#stack[depth - 1] === false ? Expect.Value : Expect.Key;
          pos++;
          continue;
        }
      } else if (code === COLON) {
        if (expect !== Expect.Colon) {
          broken = true;
        } else {
          this.#expect = Expect.Value;
          pos++;
          continue;
        }
      } else if ((expect !== Expect.Value && expect !== Expect.ValueOrEnd) || !isLiteralChar(code)) {
        broken = true;
      } else {
        // A number, true, false or null (JSON.parse checks the spelling).
        let end = pos + 1;
        while (end < length && isLiteralChar(buffer.charCodeAt(end))) end++;
        if (end === length && !atEnd) break; // the literal may continue in the next chunk
        if (topArrayLevel) {
          this.#begin(pos);
          this.#finish(out, end);
        } else {
          this.#expect = Expect.CommaOrEnd;
        }
        pos = end;
        continue;
      }
      if (broken) {
        if (!this.#breakAt(out, pos, atEnd)) return;
        pos = this.#pos;
      }
    }
    this.#pos = pos;
  }

  /**
   * The index of the quote that closes the string whose first character is at `from`; -1 when the chunk
   * ends first, -2 when a raw newline comes first (not allowed in a JSON string).
   */
  #stringEnd(from: number): number {
    const buffer = this.#buffer;
    let at = from;
    for (;;) {
      const quote = buffer.indexOf('"', at);
      const newline = this.#newlineFrom(at);
      if (newline !== -1 && (quote === -1 || newline < quote)) return -2;
      if (quote === -1) return -1;
      let backslashes = 0;
      for (let index = quote - 1; index >= from && buffer.charCodeAt(index) === BACKSLASH; index--) {
        backslashes++;
      }
      if (backslashes % 2 === 0) return quote;
      at = quote + 1;
    }
  }
}
