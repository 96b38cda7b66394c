import assert from 'node:assert/strict';
import { checkSigningCertUrl, checkSubscribeUrl, isSnsHostname } from '../../../src/http/sns-trust.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-events';

describe('http: trusted SNS URLs', () => {
  it('recognises SNS hosts in commercial, GovCloud and China regions only', () => {
    for (const host of [
      'sns.us-east-1.amazonaws.com',
      'sns.ap-southeast-2.amazonaws.com',
      'sns.us-gov-west-1.amazonaws.com',
      'sns.cn-north-1.amazonaws.com.cn',
    ]) {
      assert.ok(isSnsHostname(host), host);
    }
    for (const host of [
      'sns.amazonaws.com',
      'sns.us-east-1.amazonaws.com.evil.example',
      'evil.example/sns.us-east-1.amazonaws.com',
      'sns.us-east-1.amazonaws.co',
      'snsXus-east-1.amazonaws.com',
      'x.sns.us-east-1.amazonaws.com',
      'sns.us-east-1.evil.amazonaws.com',
    ]) {
      assert.ok(!isSnsHostname(host), host);
    }
  });

  it('accepts an https .pem certificate URL on an SNS host', () => {
    const check = checkSigningCertUrl(
      'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem',
    );
    assert.ok(check.ok);
  });

  const refused: [string, RegExp][] = [
    ['http://sns.us-east-1.amazonaws.com/a.pem', /must use https, got http/],
    ['https://sns.us-east-1.amazonaws.com.evil.example/a.pem', /is not an SNS host/],
    ['https://evil.example/sns.us-east-1.amazonaws.com/a.pem', /is not an SNS host/],
    ['https://user:pw@sns.us-east-1.amazonaws.com/a.pem', /must not carry credentials/],
    ['https://sns.us-east-1.amazonaws.com:8443/a.pem', /default HTTPS port, got 8443/],
    ['https://sns.us-east-1.amazonaws.com/a.txt', /must name a \.pem/],
    ['file:///etc/passwd.pem', /must use https, got file/],
    ['not a url', /not a valid URL/],
  ];
  for (const [url, reason] of refused) {
    it(`refuses certificate URL ${url}`, () => {
      const check = checkSigningCertUrl(url);
      assert.equal(check.ok, false);
      if (!check.ok) {
        assert.match(check.reason, reason);
        assert.match(check.reason, /^SigningCertURL: /);
      }
    });
  }

  it('accepts a test-trusted host:port only through the test trust, and still only over https', () => {
    assert.equal(checkSigningCertUrl('https://127.0.0.1:4443/c.pem').ok, false);
    assert.ok(checkSigningCertUrl('https://127.0.0.1:4443/c.pem', { extraHosts: ['127.0.0.1:4443'] }).ok);
    assert.equal(
      checkSigningCertUrl('http://127.0.0.1:4443/c.pem', { extraHosts: ['127.0.0.1:4443'] }).ok,
      false,
    );
    assert.equal(
      checkSigningCertUrl('https://127.0.0.1:4444/c.pem', { extraHosts: ['127.0.0.1:4443'] }).ok,
      false,
    );
  });

  it('accepts only a ConfirmSubscription SubscribeURL for the same topic on an SNS host', () => {
    const good = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC)}&Token=t`;
    assert.ok(checkSubscribeUrl(good, TOPIC).ok);
    const cases: [string, RegExp][] = [
      [good.replace('https://sns.us-east-1.amazonaws.com', 'https://evil.example'), /not an SNS host/],
      [good.replace('https:', 'http:'), /must use https/],
      [good.replace('ConfirmSubscription', 'Unsubscribe'), /Action must be ConfirmSubscription/],
      [good.replace('ses-events', 'other-topic'), /TopicArn differs/],
    ];
    for (const [url, reason] of cases) {
      const check = checkSubscribeUrl(url, TOPIC);
      assert.equal(check.ok, false, url);
      if (!check.ok) assert.match(check.reason, reason);
    }
  });
});
