/**
 * The parsed form of a java.util.regex pattern, the two errors a pattern can raise, and what Java's
 * TreeInfo study learns from the tree (the longest match of a lookbehind, determinism, nullability),
 * shared by the parser (regex-parser.ts) and the JavaScript emitter (regex-emit.ts).
 */
/** A pattern Java itself refuses (PatternSyntaxException). */
export class JavaRegexSyntaxError extends Error {
  override readonly name = 'JavaRegexSyntaxError';
}

/** A valid Java pattern using a construct we cannot reproduce exactly. */
export class UnsupportedJavaRegexError extends Error {
  override readonly name = 'UnsupportedJavaRegexError';
}

/** Java's bound for an unbounded repeat (Integer.MAX_VALUE). */
export const MAX_REPS = 0x7fffffff;

// --- the parsed tree -------------------------------------------------------------------------------

export type Node =
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; branches: Node[] }
  | { kind: 'set'; set: string }
  | { kind: 'assert'; js: string; length: number }
  | {
      kind: 'group';
      type: 'capture' | 'plain' | 'ahead' | 'not-ahead' | 'behind' | 'not-behind' | 'atomic';
      index?: number;
      name?: string;
      body: Node;
    }
  | { kind: 'quant'; body: Node; min: number; max: number; mode: 'greedy' | 'lazy' | 'possessive' }
  | { kind: 'backref'; index: number; caseInsensitive: boolean };

const int32 = (value: number) => value | 0;

type StudyInfo = { max: number; valid: boolean };

/** A node list in Java's linked order: plain and capturing groups are transparent. */
export function flatten(node: Node): Node[] {
  if (node.kind === 'seq') return node.items.flatMap(flatten);
  if (node.kind === 'group' && (node.type === 'plain' || node.type === 'capture')) return flatten(node.body);
  return [node];
}

/**
 * Java's TreeInfo study of a lookbehind body: whether Java finds "an obvious maximum length". Pattern
 * walks its node chain adding lengths in 32-bit ints that wrap: a greedy x* over one character adds
 * Integer.MAX_VALUE and never fails, a counted repeat fails only when its sum wraps below the length
 * before it, an alternation studies what follows it from zero and adds afterwards, and backreferences
 * and non-deterministic repeated groups fail outright. Reproduced node for node, wrapping included.
 */
function studyList(nodes: readonly Node[], info: StudyInfo): void {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as Node;
    switch (node.kind) {
      case 'set':
        info.max = int32(info.max + 1);
        break;
      case 'assert':
        info.max = int32(info.max + node.length);
        break;
      case 'backref':
        info.valid = false;
        break;
      case 'seq':
        studyList(flatten(node), info);
        break;
      case 'group':
        if (node.type === 'atomic' || node.type === 'plain' || node.type === 'capture')
          studyList(flatten(node.body), info);
        break;
      case 'alt':
        studyBranch(node.branches, nodes.slice(i + 1), info);
        return;
      case 'quant': {
        const groupBody =
          node.body.kind === 'group' && (node.body.type === 'plain' || node.body.type === 'capture');
        if (node.min === 0 && node.max === 1) {
          if (groupBody && node.mode !== 'possessive') {
            studyBranch([node.body, { kind: 'seq', items: [] }], nodes.slice(i + 1), info);
            return;
          }
          studyList(flatten(node.body), info);
          break;
        }
        if (node.body.kind === 'set' && node.mode === 'greedy' && node.max === MAX_REPS) {
          info.max = int32(info.max + MAX_REPS);
          break;
        }
        if (groupBody && node.mode !== 'possessive' && !deterministic(flatten(node.body))) {
          info.valid = false;
          return;
        }
        const before = info.max;
        const beforeValid = info.valid;
        const inner: StudyInfo = { max: 0, valid: true };
        studyList(flatten(node.body), inner);
        if (beforeValid && inner.valid) {
          const total = int32(Math.imul(inner.max, node.max) + before);
          info.max = total;
          info.valid = total >= before;
        } else info.valid = false;
        break;
      }
    }
  }
}

function studyBranch(branches: readonly Node[], rest: readonly Node[], info: StudyInfo): void {
  let longest = -1;
  let valid = info.valid;
  for (const branch of branches) {
    const inner: StudyInfo = { max: 0, valid: true };
    studyList(flatten(branch), inner);
    longest = Math.max(longest, inner.max);
    valid &&= inner.valid;
  }
  const prefix = int32(info.max + longest);
  const after: StudyInfo = { max: 0, valid: true };
  studyList(rest, after);
  info.max = int32(after.max + prefix);
  info.valid = after.valid && valid;
}

/** Java's TreeInfo.deterministic for a group body: every path has one length (decides GroupCurly vs Loop). */
export function deterministic(nodes: readonly Node[]): boolean {
  return nodes.every((node) => {
    switch (node.kind) {
      case 'alt':
        return false;
      case 'group':
        return node.type === 'atomic' || node.type === 'plain' || node.type === 'capture'
          ? deterministic(flatten(node.body))
          : true;
      case 'quant':
        return (
          node.min === node.max &&
          !(node.body.kind === 'set' && node.max === MAX_REPS) &&
          deterministic(flatten(node.body))
        );
      case 'seq':
        return deterministic(flatten(node));
      default:
        return true;
    }
  });
}

export function lookbehindIsBounded(body: Node): boolean {
  const info: StudyInfo = { max: 0, valid: true };
  studyList(flatten(body), info);
  return info.valid;
}

/** Whether a node contains \\R, the one Java node whose length varies inside a "deterministic" group. */
export function containsLineEnding(node: Node): boolean {
  switch (node.kind) {
    case 'assert':
      return node.length > 0;
    case 'seq':
      return node.items.some(containsLineEnding);
    case 'alt':
      return node.branches.some(containsLineEnding);
    case 'group':
    case 'quant':
      return containsLineEnding(node.body);
    default:
      return false;
  }
}

/** Whether a node can match the empty string. */
export function nullable(node: Node): boolean {
  switch (node.kind) {
    case 'seq':
      return node.items.every(nullable);
    case 'alt':
      return node.branches.some(nullable);
    case 'set':
      return false;
    case 'assert':
      return node.length === 0;
    case 'backref':
      return true;
    case 'group':
      return node.type === 'capture' || node.type === 'plain' || node.type === 'atomic'
        ? nullable(node.body)
        : true;
    case 'quant':
      return node.min === 0 || nullable(node.body);
  }
}
