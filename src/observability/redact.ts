/**
 * The one redaction function for every boundary where input text becomes a log line, an error message
 * or a dead-letter header: email addresses (plain, with a quoted local part, cut short by an excerpt)
 * and the display names of mailboxes (`Jane Doe <jane@example.com>`) become `<redacted>`, unless PII
 * logging was switched on for debugging (SES_KAFKA_LOG_PII=true).
 *
 * Hand-written rather than a library: the address parsers (see src/ses/address.ts) parse one header
 * value; here addresses must be found anywhere inside arbitrary text, including truncated fragments
 * that no parser accepts.
 */

import { readSetting } from '../config/settings.ts';

export const REDACTED = '<redacted>';

export function piiLoggingEnabled(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return readSetting(env, 'logPii') === true;
}

/** Characters that end a bare local part or domain in running text (JSON quotes, brackets, spaces...). */
const ATOM = String.raw`[^\s<>"'(),;:@\[\]{}\\]`;
const QUOTED = String.raw`"(?:[^"\\\r\n]|\\.)*"`;
const ENCODED_WORD = String.raw`=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=`;
const NAME_WORD = `(?:${QUOTED}|${ENCODED_WORD}|${ATOM}+)`;

const PATTERNS: readonly RegExp[] = [
  // A mailbox with a display name of up to four words: the name goes with the address.
  new RegExp(`${NAME_WORD}(?:[ \\t]+${NAME_WORD}){0,3}[ \\t]*<[^<>\\r\\n]*@[^<>\\r\\n]*>`, 'g'),
  // A quoted local part: "john doe"@example.com.
  new RegExp(`${QUOTED}@${ATOM}*`, 'g'),
  // A bare address, also one cut short after the @ by an excerpt (john.doe@).
  new RegExp(`${ATOM}+@${ATOM}*`, 'g'),
];

/** Credentials inside a URL (`https://user:secret@registry.example.com`): never shown, PII logging or not. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@<>"']+@/gi;

/** Replaces every address and mailbox display name in the text; see above. */
export function redactText(text: string, env?: Readonly<Record<string, string | undefined>>): string {
  const withoutCredentials = text.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  if (piiLoggingEnabled(env)) return withoutCredentials;
  let out = withoutCredentials;
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/**
 * A JSON.parse error without the excerpt of the input that V8 quotes into it (`Unexpected token 'o',
 * "{"source": john.doe@e"... is not valid JSON`): an excerpt can cut an address anywhere, even before
 * its `@`, where no pattern can recognise it. The position is kept; it is enough to find the fault.
 */
export function describeJsonSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const withoutExcerpt = message.replace(/,\s*(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)?\s+is not valid JSON$/, '');
  return redactText(withoutExcerpt);
}

/** How deep `redactValue` walks before it stops (hostile input can nest without bound). */
const MAX_REDACT_DEPTH = 12;

/** Redacts every string inside a log attribute value, without recursing without bound. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_REDACT_DEPTH) return '[nested too deep to log]';
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactText(value.message),
      ...(value.stack === undefined ? {} : { stack: redactText(value.stack) }),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactValue(item, depth + 1);
  return out;
}
