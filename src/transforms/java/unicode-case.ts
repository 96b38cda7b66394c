/**
 * Java's simple (one character to one character) case mappings, Character.toUpperCase/toLowerCase,
 * which java.util.regex uses for case-insensitive matching. JavaScript's String methods apply the full
 * mappings ("ß" -> "SS"), so a char whose full mapping is several chars keeps itself here, except where
 * Unicode gives a simple mapping of its own (İ -> i, the Greek iota-subscript letters -> their
 * titlecase forms).
 */

const SIMPLE_LOWER: Record<number, number> = { 304: 0x69 };

function simpleUpperException(codePoint: number): number | undefined {
  // U+1F80..1FAF (with ypogegrammeni) map to the +8 titlecase letters; 1FB3/1FC3/1FF3 likewise.
  if (
    (codePoint >= 0x1f80 && codePoint <= 0x1f87) ||
    (codePoint >= 0x1f90 && codePoint <= 0x1f97) ||
    (codePoint >= 0x1fa0 && codePoint <= 0x1fa7)
  ) {
    return codePoint + 8;
  }
  if (codePoint === 0x1fb3) return 0x1fbc;
  if (codePoint === 0x1fc3) return 0x1fcc;
  if (codePoint === 0x1ff3) return 0x1ffc;
  return undefined;
}

export function javaToUpperCase(codePoint: number): number {
  const exception = simpleUpperException(codePoint);
  if (exception !== undefined) return exception;
  const upper = String.fromCodePoint(codePoint).toUpperCase();
  const first = upper.codePointAt(0) as number;
  return upper.length === String.fromCodePoint(first).length ? first : codePoint;
}

export function javaToLowerCase(codePoint: number): number {
  const exception = SIMPLE_LOWER[codePoint];
  if (exception !== undefined) return exception;
  const lower = String.fromCodePoint(codePoint).toLowerCase();
  const first = lower.codePointAt(0) as number;
  return lower.length === String.fromCodePoint(first).length ? first : codePoint;
}

/** toLowerCase(toUpperCase(c)): what java.util.regex compares under UNICODE_CASE. */
export function javaCaseFold(codePoint: number): number {
  return javaToLowerCase(javaToUpperCase(codePoint));
}

let casedChars: number[] | null = null;
let byFold: Map<number, number[]> | null = null;

/** Every code point whose simple upper or lower mapping differs from itself (built once, on first use). */
function buildTables(): { cased: number[]; folds: Map<number, number[]> } {
  if (casedChars && byFold) return { cased: casedChars, folds: byFold };
  const cased: number[] = [];
  const folds = new Map<number, number[]>();
  for (let codePoint = 0; codePoint <= 0x1ffff; codePoint++) {
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
    const upper = javaToUpperCase(codePoint);
    const fold = javaToLowerCase(upper);
    if (upper === codePoint && fold === codePoint) continue;
    cased.push(codePoint);
    for (const key of new Set([fold, codePoint])) {
      const members = folds.get(key) ?? [];
      members.push(codePoint);
      folds.set(key, members);
    }
  }
  casedChars = cased;
  byFold = folds;
  return { cased, folds };
}

/** All code points c with javaCaseFold(c) === javaCaseFold(codePoint) (including codePoint). */
export function unicodeCaseVariants(codePoint: number): number[] {
  const fold = javaCaseFold(codePoint);
  const { folds } = buildTables();
  const out = new Set<number>([codePoint, fold]);
  for (const member of folds.get(fold) ?? []) if (javaCaseFold(member) === fold) out.add(member);
  return [...out].sort((a, b) => a - b);
}

/** Cased code points c outside [low, high] with toUpperCase(c) or toLowerCase(toUpperCase(c)) inside. */
export function unicodeCaseRangeExtras(low: number, high: number): number[] {
  const { cased } = buildTables();
  return cased.filter((c) => {
    if (c >= low && c <= high) return false;
    const upper = javaToUpperCase(c);
    const fold = javaToLowerCase(upper);
    return (upper >= low && upper <= high) || (fold >= low && fold <= high);
  });
}
