/**
 * The SNS HTTP endpoint end to end on loopback: a real node:http server, a local HTTPS "SNS host" that
 * serves a locally generated signing certificate and answers ConfirmSubscription, reached through the
 * test-only trust setting.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type RunningSnsServer, startServer } from '../../../src/http/server.ts';
import type { NotificationOutcome } from '../../../src/http/sns-endpoint.ts';
import type { SnsNotification } from '../../../src/http/sns-message.ts';
import {
  confirmationFields,
  type FakeSnsHost,
  type Fields,
  generateIdentity,
  type Identity,
  notificationFields,
  recordingLogger,
  SES_DELIVERY,
  signFields,
  startFakeSnsHost,
  TOPIC_ARN,
} from '../../unit/http/support/sns-fixtures.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { outcome?: string; reason?: string; messageId?: string };
}

function send(
  url: string,
  options: {
    method?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
    chunked?: boolean;
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? '';
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=UTF-8',
      ...options.headers,
    };
    if (!options.chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request(url, { method: options.method ?? 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} });
      });
    });
    req.on('error', reject);
    if (options.chunked) {
      // Streams the body in pieces without a Content-Length, so only the running count can stop it.
      const buffer = Buffer.from(body);
      for (let at = 0; at < buffer.length; at += 16 * 1024) req.write(buffer.subarray(at, at + 16 * 1024));
    } else {
      req.write(body);
    }
    req.end();
  });
}

describe('http: SNS subscription endpoint (loopback)', function () {
  this.timeout(60_000);
  let signing: Identity;
  let stranger: Identity;
  let tls: Identity;
  let sns: FakeSnsHost;
  let server: RunningSnsServer;
  let calls: { message: SnsNotification }[];
  let nextOutcome: NotificationOutcome | 'throw';
  let log: ReturnType<typeof recordingLogger>;

  before(async () => {
    signing = generateIdentity('sns-signing');
    stranger = generateIdentity('forger');
    tls = generateIdentity('127.0.0.1');
    sns = await startFakeSnsHost(signing, tls);
    log = recordingLogger();
    server = await startServer({
      host: '127.0.0.1',
      port: 0,
      allowedTopicArns: [TOPIC_ARN],
      logger: log,
      handleNotification: async (message) => {
        calls.push({ message });
        if (nextOutcome === 'throw') throw new Error('pipeline exploded for rcpt@example.com');
        return nextOutcome;
      },
      testOnlyTrust: { extraHosts: [sns.host], ca: tls.certPem },
    });
  });
  after(async () => {
    await server?.close();
    await sns?.close();
  });
  beforeEach(() => {
    calls = [];
    nextOutcome = 'ok';
    sns.confirmStatus = 200;
  });

  const post = (fields: Fields, headers: Record<string, string> = {}) =>
    send(server.url, { body: JSON.stringify(fields), headers });

  for (const version of ['1', '2'] as const) {
    it(`hands a genuinely signed SignatureVersion ${version} notification to the handler exactly once`, async () => {
      const signed = signFields(notificationFields(sns.certUrl), signing.keyPem, version);
      const body = JSON.stringify(signed);
      const reply = await send(server.url, { body, headers: { 'x-amz-sns-message-type': 'Notification' } });
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { outcome: 'ok', messageId: signed.MessageId });
      assert.equal(calls.length, 1);
      assert.deepEqual(Object.keys(calls[0]?.message ?? {}).sort(), [
        'Message',
        'MessageId',
        'Signature',
        'SignatureVersion',
        'SigningCertURL',
        'Subject',
        'Timestamp',
        'TopicArn',
        'Type',
      ]);
      assert.equal(calls[0]?.message.Message, SES_DELIVERY);
      assert.equal(calls[0]?.message.MessageId, signed.MessageId);
    });
  }

  it('fetches the signing certificate once for all messages', async () => {
    await post(signFields(notificationFields(sns.certUrl), signing.keyPem, '2'));
    await post(signFields(notificationFields(sns.certUrl), signing.keyPem, '1'));
    assert.equal(calls.length, 2);
    assert.equal(sns.certificateFetches, 1);
  });

  it('answers 503 on retry (SNS redelivers) and 200 on a dead-lettered rejection', async () => {
    nextOutcome = 'retry';
    const retry = await post(signFields(notificationFields(sns.certUrl), signing.keyPem, '2'));
    assert.equal(retry.status, 503);
    assert.equal(retry.body.outcome, 'retry');
    nextOutcome = 'rejected';
    const rejected = await post(signFields(notificationFields(sns.certUrl), signing.keyPem, '2'));
    assert.equal(rejected.status, 200);
    assert.equal(rejected.body.outcome, 'rejected');
    assert.equal(calls.length, 2);
  });

  it('answers 503 when the handler throws, and keeps the recipient address out of the log', async () => {
    nextOutcome = 'throw';
    const reply = await post(signFields(notificationFields(sns.certUrl), signing.keyPem, '2'));
    assert.equal(reply.status, 503);
    const line = log.lines.find((l) => l.message === 'SNS notification handler failed');
    assert.ok(line, 'the failure is logged');
    assert.doesNotMatch(JSON.stringify(line.extra), /rcpt@example\.com/);
  });

  describe('refusals never reach the handler', () => {
    afterEach(() => assert.deepEqual(calls, [], 'handler must not be called'));

    it('forged: signed with a key that is not the certificate’s -> 403', async () => {
      const reply = await post(signFields(notificationFields(sns.certUrl), stranger.keyPem, '2'));
      assert.equal(reply.status, 403);
      assert.equal(reply.body.reason, 'Signature: does not match the message');
    });

    it('altered: Message changed after signing -> 403', async () => {
      const signed = signFields(notificationFields(sns.certUrl), signing.keyPem, '1');
      const reply = await post({ ...signed, Message: signed.Message?.replace('Delivery', 'Bounce') ?? '' });
      assert.equal(reply.status, 403);
    });

    it('unsigned: no Signature -> 400 naming the field', async () => {
      const { Signature: _s, ...unsigned } = signFields(notificationFields(sns.certUrl), signing.keyPem, '2');
      const reply = await post(unsigned);
      assert.equal(reply.status, 400);
      assert.equal(reply.body.reason, 'Signature: required string missing');
    });

    it('certificate on a host that is not SNS -> 403 and nothing fetched', async () => {
      const fetchesBefore = sns.certificateFetches;
      const elsewhere = `https://127.0.0.2:${sns.host.split(':')[1]}/SimpleNotificationService-local.pem`;
      const reply = await post(signFields(notificationFields(elsewhere), signing.keyPem, '2'));
      assert.equal(reply.status, 403);
      assert.match(reply.body.reason ?? '', /^SigningCertURL: must use the default HTTPS port/);
      const otherHost = 'https://certs.attacker.example/SimpleNotificationService-local.pem';
      const hostReply = await post(signFields(notificationFields(otherHost), signing.keyPem, '2'));
      assert.equal(hostReply.status, 403);
      assert.match(
        hostReply.body.reason ?? '',
        /^SigningCertURL: host "certs\.attacker\.example" is not an SNS host/,
      );
      const lookalike = 'https://sns.us-east-1.amazonaws.com.attacker.example/cert.pem';
      assert.equal((await post(signFields(notificationFields(lookalike), signing.keyPem, '2'))).status, 403);
      assert.equal(sns.certificateFetches, fetchesBefore);
    });

    it('certificate URL over plain http, even on the trusted test host -> 403', async () => {
      const plain = sns.certUrl.replace('https:', 'http:');
      const reply = await post(signFields(notificationFields(plain), signing.keyPem, '2'));
      assert.equal(reply.status, 403);
      assert.equal(reply.body.reason, 'SigningCertURL: must use https, got http');
    });

    it('a genuinely signed message for a topic not allowed -> 403', async () => {
      const other = 'arn:aws:sns:us-east-1:123456789012:someone-elses-topic';
      const reply = await post(
        signFields(notificationFields(sns.certUrl, { TopicArn: other }), signing.keyPem, '2'),
      );
      assert.equal(reply.status, 403);
      assert.match(reply.body.reason ?? '', /^TopicArn: not in the allowed topics/);
    });

    it('oversized body with Content-Length -> 413 before reading it', async () => {
      const big = signFields(
        notificationFields(sns.certUrl, { Message: 'x'.repeat(300 * 1024) }),
        signing.keyPem,
        '2',
      );
      const reply = await post(big);
      assert.equal(reply.status, 413);
      assert.equal(reply.headers.connection, 'close');
    });

    it('oversized body streamed without Content-Length -> 413', async () => {
      const big = signFields(
        notificationFields(sns.certUrl, { Message: 'x'.repeat(300 * 1024) }),
        signing.keyPem,
        '2',
      );
      const reply = await send(server.url, { body: JSON.stringify(big), chunked: true });
      assert.equal(reply.status, 413);
    });

    it('wrong method -> 405 with Allow: POST; wrong content type -> 415; not JSON -> 400', async () => {
      const get = await send(server.url, { method: 'GET' });
      assert.equal(get.status, 405);
      assert.equal(get.headers.allow, 'POST');
      const form = await send(server.url, {
        body: 'a=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(form.status, 415);
      const junk = await send(server.url, { body: '{"Type":' });
      assert.equal(junk.status, 400);
      assert.match(junk.body.reason ?? '', /^body: not valid JSON/);
    });

    it('x-amz-sns-message-type header that disagrees with Type -> 400', async () => {
      const signed = signFields(notificationFields(sns.certUrl), signing.keyPem, '2');
      const reply = await post(signed, { 'x-amz-sns-message-type': 'SubscriptionConfirmation' });
      assert.equal(reply.status, 400);
    });
  });

  describe('subscription confirmation', () => {
    const subscribeUrl = () =>
      `${sns.origin}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC_ARN)}&Token=token-0123456789abcdef`;

    for (const version of ['1', '2'] as const) {
      it(`visits the SubscribeURL of a genuinely signed SignatureVersion ${version} SubscriptionConfirmation`, async () => {
        const before = sns.confirmations.length;
        const signed = signFields(
          confirmationFields('SubscriptionConfirmation', sns.certUrl, subscribeUrl()),
          signing.keyPem,
          version,
        );
        const reply = await post(signed, { 'x-amz-sns-message-type': 'SubscriptionConfirmation' });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.outcome, 'confirmed');
        assert.equal(sns.confirmations.length, before + 1);
        assert.equal(sns.confirmations.at(-1)?.searchParams.get('Token'), 'token-0123456789abcdef');
        assert.deepEqual(calls, []);
      });
    }

    it('does not visit the SubscribeURL of a forged or unknown-topic confirmation', async () => {
      const before = sns.confirmations.length;
      const forged = signFields(
        confirmationFields('SubscriptionConfirmation', sns.certUrl, subscribeUrl()),
        stranger.keyPem,
        '2',
      );
      assert.equal((await post(forged)).status, 403);
      const otherTopic = 'arn:aws:sns:us-east-1:123456789012:not-ours';
      const unknown = signFields(
        confirmationFields(
          'SubscriptionConfirmation',
          sns.certUrl,
          subscribeUrl().replace(encodeURIComponent(TOPIC_ARN), encodeURIComponent(otherTopic)),
          { TopicArn: otherTopic },
        ),
        signing.keyPem,
        '2',
      );
      assert.equal((await post(unknown)).status, 403);
      assert.equal(sns.confirmations.length, before);
    });

    it('does not visit a signed SubscribeURL that points away from SNS', async () => {
      const before = sns.confirmations.length;
      const away = `https://confirm.attacker.example/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC_ARN)}`;
      const signed = signFields(
        confirmationFields('SubscriptionConfirmation', sns.certUrl, away),
        signing.keyPem,
        '2',
      );
      const reply = await post(signed);
      assert.equal(reply.status, 403);
      assert.match(reply.body.reason ?? '', /^SubscribeURL: host .* is not an SNS host/);
      assert.equal(sns.confirmations.length, before);
    });

    it('answers 502 when SNS refuses the confirmation, so SNS sends it again', async () => {
      sns.confirmStatus = 403;
      const signed = signFields(
        confirmationFields('SubscriptionConfirmation', sns.certUrl, subscribeUrl()),
        signing.keyPem,
        '2',
      );
      const reply = await post(signed);
      assert.equal(reply.status, 502);
    });

    it('acknowledges a signed UnsubscribeConfirmation without re-subscribing', async () => {
      const before = sns.confirmations.length;
      const signed = signFields(
        confirmationFields('UnsubscribeConfirmation', sns.certUrl, subscribeUrl()),
        signing.keyPem,
        '1',
      );
      const reply = await post(signed);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.outcome, 'unsubscribed');
      assert.equal(sns.confirmations.length, before);
      assert.deepEqual(calls, []);
    });
  });

  it('answers GET /healthz with 200 for container health checks', async () => {
    const reply = await send(`${server.url}/healthz`, { method: 'GET' });
    assert.equal(reply.status, 200);
  });
});

describe('http: SNS subscription endpoint served over HTTPS', function () {
  this.timeout(60_000);

  it('accepts a signed notification over TLS with the given certificate and key', async () => {
    const signing = generateIdentity('sns-signing-tls');
    const tls = generateIdentity('127.0.0.1');
    const sns = await startFakeSnsHost(signing, tls);
    const received: string[] = [];
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      tls: { cert: tls.certPem, key: tls.keyPem },
      allowedTopicArns: [TOPIC_ARN],
      logger: recordingLogger(),
      handleNotification: async (message) => {
        received.push(message.MessageId);
        return 'ok';
      },
      testOnlyTrust: { extraHosts: [sns.host], ca: tls.certPem },
    });
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const signed = signFields(notificationFields(sns.certUrl), signing.keyPem, '2');
      const body = JSON.stringify(signed);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          server.url,
          { method: 'POST', ca: tls.certPem, headers: { 'content-type': 'text/plain; charset=UTF-8' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(status, 200);
      assert.deepEqual(received, [signed.MessageId]);
    } finally {
      await server.close();
      await sns.close();
    }
  });
});
