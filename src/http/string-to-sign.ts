import type { SnsHttpMessage } from './sns-message.ts';

/**
 * The canonical text SNS signs: selected fields as `Name\nvalue\n`, names in byte order. Notifications
 * include Subject only when the message has one; the two confirmation types sign Token and SubscribeURL.
 */
const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const SUBSCRIPTION_FIELDS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;

export function snsStringToSign(message: SnsHttpMessage): string {
  const names: readonly string[] =
    message.Type === 'Notification' ? NOTIFICATION_FIELDS : SUBSCRIPTION_FIELDS;
  const fields = message as unknown as Record<string, string | undefined>;
  let text = '';
  for (const name of names) {
    const value = fields[name];
    if (value === undefined) continue;
    text += `${name}\n${value}\n`;
  }
  return text;
}
