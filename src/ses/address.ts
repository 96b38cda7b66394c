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

/**
 * Every mailbox in an address-list header value, groups flattened, display names dropped; undefined
 * when the text is not an address list at all.
 */
export function parseMailboxList(text: string): ParsedMailbox[] | undefined {
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
  const parsed = parseMailboxList(mailbox);
  if (parsed?.length === 1 && parsed[0] !== undefined) return parsed[0].address;
  const trimmed = mailbox.trim();
  // The address is the last angle-bracketed part; a display name may itself contain `<` in quotes.
  const angled = /<([^<>]*)>\s*$/.exec(trimmed);
  return (angled?.[1] ?? trimmed).trim();
}
