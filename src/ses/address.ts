/**
 * The bare address of an RFC 5322 mailbox as SES writes `mail.source`: `Sender Name <a@example.com>`,
 * `"Last, First" <a@example.com>`, `=?UTF-8?B?...?= <a@example.com>` or just `a@example.com`.
 */
export function bareAddress(mailbox: string): string {
  const trimmed = mailbox.trim();
  // The address is the last angle-bracketed part; a display name may itself contain `<` in quotes.
  const angled = /<([^<>]*)>\s*$/.exec(trimmed);
  return (angled?.[1] ?? trimmed).trim();
}
