import type { z } from 'zod';

const MAX_ISSUES_IN_MESSAGE = 5;

/** `mail.destination[0]`, `bounce.bouncedRecipients[1].emailAddress`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(root)' : text;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Object.hasOwn(current, key) ? (current as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return current;
}

/**
 * One line per problem, naming the path and what is wrong, e.g. `mail.messageId: required string
 * missing`. Values are never echoed: they may be email addresses.
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
  prefix: ReadonlyArray<PropertyKey> = [],
): string {
  const path = formatPath([...prefix, ...issue.path]);
  switch (issue.code) {
    case 'invalid_type': {
      const actual = valueAt(input, issue.path);
      if (actual === undefined) return `${path}: required ${issue.expected} missing`;
      return `${path}: expected ${issue.expected}, got ${describeType(actual)}`;
    }
    case 'too_small':
      return issue.origin === 'string' ? `${path}: must not be empty` : `${path}: ${issue.message}`;
    default:
      return `${path}: ${issue.message}`;
  }
}

/** `prefix` is where `input` sits in what the sender sent, e.g. `detail` in an EventBridge event. */
export function describeIssues(
  issues: ReadonlyArray<z.core.$ZodIssue>,
  input: unknown,
  prefix: ReadonlyArray<PropertyKey> = [],
): string {
  const lines = issues.slice(0, MAX_ISSUES_IN_MESSAGE).map((issue) => describeIssue(issue, input, prefix));
  const more = issues.length - MAX_ISSUES_IN_MESSAGE;
  return more > 0 ? `${lines.join('; ')}; and ${more} more` : lines.join('; ');
}
