/**
 * The parsed Java pattern written out as a JavaScript `v`-flag regex source with the same matching:
 * possessive and atomic parts emulated with a lookahead and a backreference, Java's group numbers mapped
 * to the shifted JavaScript ones, and the constructs JavaScript would match differently refused by name.
 */
import {
  containsLineEnding,
  deterministic,
  flatten,
  MAX_REPS,
  type Node,
  nullable,
  UnsupportedJavaRegexError,
} from './regex-tree.ts';

// --- emitting JavaScript -----------------------------------------------------------------------------

export interface Emitted {
  source: string;
  /** Java group number -> JavaScript group number (helper groups for atomic matching shift them). */
  groupMap: number[];
  /**
   * Groups inside a repeated part that may sit out an iteration: Java keeps what they captured in an
   * earlier iteration, JavaScript clears captures at each iteration, so a replacement must not use them.
   */
  unstableGroups: Set<number>;
}

interface EmitContext {
  /** The group surely took part once this point is reached (for backreferences). */
  sure: boolean;
  /** Inside a part that repeats (max > 1). */
  repeated: boolean;
  /** Inside an optional or alternative part of a repeated part. */
  conditional: boolean;
  /** Inside a lookbehind (JavaScript matches it right to left). */
  behind: boolean;
}

export function emit(root: Node, totalGroups: number): Emitted {
  const groupMap: number[] = [0];
  const unstableGroups = new Set<number>();
  let jsGroups = 0;
  const certain = new Set<number>();
  const closed = new Set<number>();

  const visit = (node: Node, context: EmitContext): string => {
    switch (node.kind) {
      case 'seq':
        return node.items.map((item) => visit(item, context)).join('');
      case 'alt':
        return node.branches
          .map((branch) => visit(branch, { ...context, sure: false, conditional: context.repeated }))
          .join('|');
      case 'set':
        return node.set;
      case 'assert':
        return node.js;
      case 'backref': {
        if (node.caseInsensitive) {
          throw new UnsupportedJavaRegexError(
            `backreference \\${node.index} under (?i) is not supported: Java compares it case-insensitively, JavaScript cannot`,
          );
        }
        // A reference to a group the pattern never defines can never match in Java.
        if (node.index > totalGroups) return '[]';
        if (!closed.has(node.index) || !certain.has(node.index)) {
          throw new UnsupportedJavaRegexError(
            `backreference \\${node.index} at that point is not supported: its group may not have matched (or is not closed) there, and JavaScript treats such a reference as empty where Java fails; reference only a group that always matches before it`,
          );
        }
        return `(?:\\${groupMap[node.index]})`;
      }
      case 'group': {
        if (node.type === 'capture') {
          const index = node.index as number;
          const js = ++jsGroups;
          groupMap[index] = js;
          if (context.conditional) unstableGroups.add(index);
          const body = visit(node.body, context);
          closed.add(index);
          if (context.sure) certain.add(index);
          return node.name ? `(?<${node.name}>${body})` : `(${body})`;
        }
        if (node.type === 'atomic') {
          if (context.behind) {
            throw new UnsupportedJavaRegexError(
              'an atomic group inside a lookbehind is not supported: JavaScript matches lookbehinds backwards, so it cannot be made atomic there',
            );
          }
          return atomic(() => visit(node.body, context));
        }
        const prefix = {
          plain: '(?:',
          ahead: '(?=',
          'not-ahead': '(?!',
          behind: '(?<=',
          'not-behind': '(?<!',
        }[node.type];
        const behind = context.behind || node.type === 'behind' || node.type === 'not-behind';
        const inner =
          node.type === 'plain'
            ? context
            : { ...context, sure: false, conditional: context.repeated, behind };
        return `${prefix}${visit(node.body, inner)})`;
      }
      case 'quant': {
        const groupBody =
          node.body.kind === 'group' && (node.body.type === 'capture' || node.body.type === 'plain');
        // Java's Curly and GroupCurly (a possessive repeat of anything but a single character, a repeat of
        // \\R, a repeat of a group Java calls deterministic) match each iteration on its own, never
        // backtracking into an earlier one; only its Loop (other repeated groups) backtracks like JavaScript.
        const javaCurly =
          (node.mode === 'possessive' && node.body.kind !== 'set') ||
          node.body.kind === 'assert' ||
          (groupBody && !(node.min === 0 && node.max === 1) && deterministic(flatten(node.body)));
        if (node.body.kind !== 'set' && nullable(node.body) && (node.max > node.min || !javaCurly)) {
          throw new UnsupportedJavaRegexError(
            'an optional or repeated group that can match the empty string (such as (a*)+, (x?)*, (a??)? or (a|^){2}) is not supported: Java takes the first empty match and stops repeating, JavaScript rejects it and backtracks',
          );
        }
        const atomicIterations =
          (node.mode === 'possessive' && node.body.kind !== 'set') ||
          (javaCurly && containsLineEnding(node.body));
        if ((atomicIterations || node.mode === 'possessive') && context.behind) {
          throw new UnsupportedJavaRegexError(
            'a possessive quantifier, an atomic group or a repeated \\R inside a lookbehind is not supported: JavaScript matches lookbehinds backwards, so they cannot be made atomic there',
          );
        }
        const repeated = context.repeated || node.max > 1;
        const bodyContext: EmitContext = {
          ...context,
          sure: context.sure && node.min > 0,
          repeated,
          conditional:
            context.conditional || (repeated && node.min === 0) || (context.repeated && node.min < node.max),
        };
        // Java's Curly (a counted or possessive repeat of anything but a single character, or any repeat
        // of \R) matches each iteration on its own, never backtracking into an earlier one.
        // Only a class or a capturing/plain group is an atom JavaScript lets a quantifier follow.
        const atomFor = (body: string) =>
          !atomicIterations &&
          (node.body.kind === 'set' ||
            (node.body.kind === 'group' && (node.body.type === 'capture' || node.body.type === 'plain')))
            ? body
            : `(?:${body})`;
        const bounds =
          node.min === 0 && node.max === 1
            ? '?'
            : node.max === MAX_REPS
              ? node.min === 0
                ? '*'
                : node.min === 1
                  ? '+'
                  : `{${node.min},}`
              : node.min === node.max
                ? `{${node.min}}`
                : `{${node.min},${node.max}}`;
        // Group numbers follow opening parentheses: helpers are numbered before what they wrap.
        const quantified = () => {
          const body = atomicIterations
            ? atomic(() => visit(node.body, bodyContext))
            : visit(node.body, bodyContext);
          return `${atomFor(body)}${bounds}${node.mode === 'lazy' ? '?' : ''}`;
        };
        return node.mode === 'possessive' ? atomic(quantified) : quantified();
      }
    }
  };

  /** (?>X): a lookahead does not backtrack in JavaScript, and the backreference consumes what it matched. */
  const atomic = (body: () => string): string => {
    const helper = ++jsGroups;
    return `(?=(${body()}))(?:\\${helper})`;
  };

  return {
    source: visit(root, { sure: true, repeated: false, conditional: false, behind: false }),
    groupMap,
    unstableGroups,
  };
}
