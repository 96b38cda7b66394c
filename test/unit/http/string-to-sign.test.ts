import assert from 'node:assert/strict';
import { parseSnsHttpMessage, type SnsHttpMessage } from '../../../src/http/sns-message.ts';
import { snsStringToSign } from '../../../src/http/string-to-sign.ts';

function message(fields: Record<string, string>): SnsHttpMessage {
  const parsed = parseSnsHttpMessage(
    JSON.stringify({
      SignatureVersion: '2',
      Signature: 'AA==',
      SigningCertURL: 'https://x/c.pem',
      ...fields,
    }),
  );
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.message;
}

describe('http: SNS string to sign', () => {
  const common = {
    MessageId: 'm-1',
    TopicArn: 'arn:t',
    Message: 'line1\nline2',
    Timestamp: '2026-01-01T00:00:00Z',
  };

  it('signs a Notification with Subject as Message, MessageId, Subject, Timestamp, TopicArn, Type', () => {
    const text = snsStringToSign(
      message({ ...common, Type: 'Notification', Subject: 'subj', UnsubscribeURL: 'https://u' }),
    );
    assert.equal(
      text,
      'Message\nline1\nline2\nMessageId\nm-1\nSubject\nsubj\nTimestamp\n2026-01-01T00:00:00Z\nTopicArn\narn:t\nType\nNotification\n',
    );
  });

  it('leaves Subject out of a Notification without one, and ignores unsigned fields', () => {
    const text = snsStringToSign(message({ ...common, Type: 'Notification', UnsubscribeURL: 'https://u' }));
    assert.equal(
      text,
      'Message\nline1\nline2\nMessageId\nm-1\nTimestamp\n2026-01-01T00:00:00Z\nTopicArn\narn:t\nType\nNotification\n',
    );
  });

  for (const type of ['SubscriptionConfirmation', 'UnsubscribeConfirmation']) {
    it(`signs a ${type} with SubscribeURL and Token in byte order`, () => {
      const text = snsStringToSign(
        message({ ...common, Type: type, Token: 'tok', SubscribeURL: 'https://s' }),
      );
      assert.equal(
        text,
        `Message\nline1\nline2\nMessageId\nm-1\nSubscribeURL\nhttps://s\nTimestamp\n2026-01-01T00:00:00Z\nToken\ntok\nTopicArn\narn:t\nType\n${type}\n`,
      );
    });
  }
});
