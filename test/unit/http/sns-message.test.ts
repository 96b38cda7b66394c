import assert from 'node:assert/strict';
import { parseSnsHttpMessage } from '../../../src/http/sns-message.ts';

const notification = {
  Type: 'Notification',
  MessageId: 'm',
  TopicArn: 't',
  Message: '{}',
  Timestamp: '2026-01-01T00:00:00Z',
  SignatureVersion: '1',
  Signature: 'AA==',
  SigningCertURL: 'https://sns.us-east-1.amazonaws.com/a.pem',
};

function errorOf(body: string): string {
  const parsed = parseSnsHttpMessage(body);
  assert.equal(parsed.ok, false, 'expected a parse error');
  return parsed.ok ? '' : parsed.error;
}

describe('http: SNS HTTP message shape', () => {
  it('accepts a complete notification and keeps its fields', () => {
    const parsed = parseSnsHttpMessage(JSON.stringify({ ...notification, Subject: 's' }));
    assert.ok(parsed.ok);
    assert.equal(parsed.message.Type, 'Notification');
    assert.equal(parsed.message.MessageId, 'm');
  });

  it('names the problem: not JSON, not an object, unknown Type', () => {
    assert.match(errorOf('{not json'), /^body: not valid JSON/);
    assert.match(errorOf('[1]'), /^body: expected an SNS message object, got array/);
    assert.match(
      errorOf(JSON.stringify({ ...notification, Type: 'Other' })),
      /^Type: expected one of .*"Other"/,
    );
  });

  it('names a missing or mistyped signature field (an unsigned message)', () => {
    const { Signature: _s, ...unsigned } = notification;
    assert.equal(errorOf(JSON.stringify(unsigned)), 'Signature: required string missing');
    assert.equal(
      errorOf(JSON.stringify({ ...notification, SigningCertURL: 7 })),
      'SigningCertURL: expected string, got number',
    );
    assert.equal(
      errorOf(JSON.stringify({ ...notification, Subject: null })),
      'Subject: expected string when present, got null',
    );
  });

  it('requires Token and SubscribeURL on confirmation messages only', () => {
    const confirmation = { ...notification, Type: 'SubscriptionConfirmation', Token: 'tok' };
    assert.equal(errorOf(JSON.stringify(confirmation)), 'SubscribeURL: required string missing');
    assert.ok(parseSnsHttpMessage(JSON.stringify({ ...confirmation, SubscribeURL: 'https://s' })).ok);
  });
});
