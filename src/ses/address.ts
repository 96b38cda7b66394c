/**
 * RFC 5322 mailboxes as SES writes them in `mail.source` and `mail.commonHeaders`: `Sender Name
 * <a@example.com>`, `"Last, First" <a@example.com>`, `=?UTF-8?B?...?= <a@example.com>`, comma-separated
 * lists, groups (`Team: a@x.com, b@y.com;`), quoted local parts (`"john doe"@example.com`) or just
 * `a@example.com`. Parsed with the `email-addresses` library (an RFC 5322 grammar, with RFC 6532 UTF-8),
 * rather than patterns, which is how the old code produced `<digest>@example.com>`.
 */
import emailAddresses from 'email-addresses';

export interface ParsedMailbox {
  /** The address in one canonical spelling: local part quoted only when it must be, e.g. `"a b"@x.com`. */
  address: string;
  domain: string;
}

const DOT_ATOM =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+)*$/;

/** The parser hands back a quoted local part unquoted (`john doe`); quote it again so it stays one. */
function canonicalLocalPart(local: string): string {
  return DOT_ATOM.test(local) ? local : `"${local.replace(/(["\\])/g, '\\$1')}"`;
}

type ParsedAddress = {
  type: 'mailbox' | 'group';
  local?: string;
  domain?: string;
  addresses?: ParsedAddress[];
};

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const SIMPLE_LOCAL = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const SIMPLE_DOMAIN = '[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*';
/**
 * `a@example.com`, or `Plain Name <a@example.com>` with a name that starts with a word and holds only
 * letters, digits, spaces and . _ ' - (RFC 5322's obs-phrase: a word, then words, dots and spaces).
 */
const SIMPLE_MAILBOX = new RegExp(
  `^\\s*(?:(?:[A-Za-z0-9_'-]+[A-Za-z0-9_'. -]*)?<(${SIMPLE_LOCAL})@(${SIMPLE_DOMAIN})>|(${SIMPLE_LOCAL})@(${SIMPLE_DOMAIN}))\\s*$`,
);

/**
 * The common forms without the grammar: the library's parser costs about 100 µs a call (measured),
 * which made it most of the pipeline's CPU time, while nearly every value SES writes is one of these.
 * A differential test checks that the fast path and the library agree.
 */
function simpleMailbox(text: string): ParsedMailbox | undefined {
  const match = SIMPLE_MAILBOX.exec(text);
  if (match === null) return undefined;
  const local = (match[1] ?? match[3]) as string;
  const domain = (match[2] ?? match[4]) as string;
  return { address: `${local}@${domain}`, domain };
}

/**
 * Every mailbox in an address-list header value, groups flattened, display names dropped; undefined
 * when the text is not an address list at all.
 */
export function parseMailboxList(text: string): ParsedMailbox[] | undefined {
  const simple = simpleMailbox(text);
  if (simple !== undefined) return [simple];
  return parseWithGrammar(text);
}

/** The RFC 5322 grammar (`email-addresses`), for everything the fast path does not take. */
export function parseWithGrammar(text: string): ParsedMailbox[] | undefined {
  if (text.trim() === '') return undefined;
  let parsed: ParsedAddress[] | null;
  try {
    parsed = emailAddresses.parseAddressList({ input: text, rfc6532: true }) as ParsedAddress[] | null;
  } catch {
    return undefined;
  }
  if (parsed === null) return undefined;
  const mailboxes: ParsedMailbox[] = [];
  const add = (entry: ParsedAddress) => {
    if (entry.type === 'group') {
      for (const member of entry.addresses ?? []) add(member);
      return;
    }
    if (entry.local === undefined || entry.domain === undefined) return;
    mailboxes.push({ address: `${canonicalLocalPart(entry.local)}@${entry.domain}`, domain: entry.domain });
  };
  for (const entry of parsed) add(entry);
  return mailboxes;
}

/**
 * The bare address of one mailbox (`mail.source`), or the trimmed text when it does not parse as one:
 * SES has accepted it, so it is kept rather than refused.
 */
export function bareAddress(mailbox: string): string {
  let address = bareAddresses.get(mailbox);
  if (address === undefined) {
    address = parseBareAddress(mailbox);
    // Senders repeat from event to event; a bounded memo keeps the rare grammar parse off the hot path.
    if (bareAddresses.size >= BARE_ADDRESS_MEMO_ENTRIES) bareAddresses.clear();
    bareAddresses.set(mailbox, address);
  }
  return address;
}

const BARE_ADDRESS_MEMO_ENTRIES = 1_000;
const bareAddresses = new Map<string, string>();

function parseBareAddress(mailbox: string): string {
  const parsed = parseMailboxList(mailbox);
  if (parsed?.length === 1 && parsed[0] !== undefined) return parsed[0].address;
  const trimmed = mailbox.trim();
  // The address is the last angle-bracketed part; a display name may itself contain `<` in quotes.
  const angled = /<([^<>]*)>\s*$/.exec(trimmed);
  return (angled?.[1] ?? trimmed).trim();
}
