/**
 * Threat: a verifier that only agrees with itself. Known-answer tests with messages signed by Amazon
 * SNS and Amazon's certificates (public fixtures of AWS's own SDKs; see fixtures/aws-signed-sns/README.md).
 * The certificates have expired, so the clock is injected; the real clock must refuse them. The
 * certificates come from a pinned directory (--sns-cert-dir), so nothing is fetched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCertificateStore } from '../../src/http/certificate-store.ts';
import { startServer } from '../../src/http/server.ts';
import type { SnsHttpMessage, SnsNotification } from '../../src/http/sns-message.ts';
import { verifySnsSignature } from '../../src/http/verify-signature.ts';
import { recordingLogger } from '../unit/http/support/sns-fixtures.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/aws-signed-sns/', import.meta.url));
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => ({ name, message: JSON.parse(readFileSync(FIXTURES + name, 'utf8')) as SnsHttpMessage }));
const pinned = createCertificateStore({ pinnedDir: FIXTURES });

/** A moment inside the signing certificate's validity: a minute after the message was sent. */
const whenSent = (message: SnsHttpMessage) => new Date(Date.parse(message.Timestamp) + 60_000);

const SIGNED_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Token', 'SubscribeURL'];

describe('security: real AWS-signed SNS messages (known answers)', () => {
  it('has SignatureVersion 1 and 2, Notification (with and without Subject) and both confirmations', () => {
    const kinds = new Set(
      fixtures.map(({ message }) => {
        const subject = message.Type === 'Notification' && message.Subject !== undefined ? '+subject' : '';
        return `${message.Type}${subject} v${message.SignatureVersion}`;
      }),
    );
    for (const kind of [
      'Notification v1',
      'Notification+subject v1',
      'Notification v2',
      'Notification+subject v2',
      'SubscriptionConfirmation v1',
      'UnsubscribeConfirmation v2',
    ]) {
      assert.ok(kinds.has(kind), `missing ${kind}; have ${[...kinds].join(', ')}`);
    }
  });

  for (const { name, message } of fixtures) {
    it(`${name}: verifies at the time it was sent`, async () => {
      assert.deepEqual(await verifySnsSignature(message, pinned, undefined, whenSent(message)), { ok: true });
    });

    it(`${name}: is refused by today's clock (its certificate has expired)`, async () => {
      const check = await verifySnsSignature(message, pinned);
      assert.equal(check.ok, false);
      if (!check.ok) assert.match(check.reason, /certificate not valid now/);
    });

    it(`${name}: every tampered copy is refused`, async () => {
      const fields = message as unknown as Record<string, string>;
      const tampered: [string, Record<string, string>][] = SIGNED_FIELDS.filter(
        (field) => fields[field] !== undefined,
      ).map((field) => [field, { ...fields, [field]: `${fields[field]} ` }]);
      // One bit of the signature, and the digest of the other SignatureVersion.
      const signature = Buffer.from(fields.Signature as string, 'base64');
      signature[signature.length - 1] = (signature.at(-1) ?? 0) ^ 1;
      tampered.push(['Signature', { ...fields, Signature: signature.toString('base64') }]);
      tampered.push([
        'SignatureVersion',
        { ...fields, SignatureVersion: fields.SignatureVersion === '1' ? '2' : '1' },
      ]);
      if (message.Type === 'Notification' && message.Subject === undefined) {
        tampered.push(['Subject (added)', { ...fields, Subject: 'added' }]);
      }
      for (const [what, copy] of tampered) {
        const check = await verifySnsSignature(
          copy as unknown as SnsHttpMessage,
          pinned,
          undefined,
          whenSent(message),
        );
        assert.deepEqual(
          check,
          { ok: false, kind: 'forged', reason: 'Signature: does not match the message' },
          `${what} changed`,
        );
      }
    });
  }

  it("a certificate URL of another AWS region than the topic's is refused", async () => {
    const usWest = fixtures.find(({ name }) => name === 'java-v2-notification-signature-v2.json');
    const usEast = fixtures.find(({ name }) => name === 'php-notification-v2-no-subject.json');
    assert.ok(usWest && usEast);
    const swapped = { ...usWest.message, SigningCertURL: usEast.message.SigningCertURL };
    const check = await verifySnsSignature(swapped, pinned, undefined, whenSent(usWest.message));
    assert.equal(check.ok, false);
  });

  it('the endpoint accepts an AWS-signed notification and unsubscribe confirmation with an injected clock', async () => {
    const notification = fixtures.find(({ name }) => name === 'java-v2-notification-signature-v2.json')
      ?.message as SnsNotification;
    const unsubscribe = fixtures.find(({ name }) => name === 'java-v2-unsubscribe-confirmation.json')
      ?.message as SnsHttpMessage;
    const received: SnsNotification[] = [];
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      allowedTopicArns: [notification.TopicArn],
      certificates: pinned,
      logger: recordingLogger(),
      now: () => Date.parse(notification.Timestamp) + 60_000,
      handleNotification: async (message) => {
        received.push(message);
        return 'ok';
      },
    });
    try {
      const post = (body: unknown) =>
        fetch(server.url, { method: 'POST', body: JSON.stringify(body) }).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as { outcome: string },
        }));
      const accepted = await post(notification);
      assert.deepEqual([accepted.status, accepted.body.outcome], [200, 'ok']);
      assert.equal(received[0]?.Message, 'This message uses signature version 2.');
      const unsubscribed = await post(unsubscribe);
      assert.deepEqual([unsubscribed.status, unsubscribed.body.outcome], [200, 'unsubscribed']);
      const smuggled = await post({ ...notification, MessageId: 'other', Records: [] });
      assert.equal(smuggled.status, 400);
      assert.equal(received.length, 1);
    } finally {
      await server.close();
    }
  });

  it('`ses-kafka serve --sns-cert-dir` verifies against the pinned certificate, fetching nothing', async function () {
    this.timeout(60_000);
    const notification = fixtures.find(({ name }) => name === 'java-v2-notification-signature-v2.json')
      ?.message as SnsNotification;
    const child = spawn(
      process.execPath,
      [
        'bin/ses-kafka.js',
        'serve',
        '--local',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--topic-arn',
        notification.TopicArn,
        '--sns-cert-dir',
        FIXTURES,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' } },
    );
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), 45_000);
        child.stderr?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${output}`)));
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const post = async (fields: Record<string, string>) => {
        const response = await fetch(url, { method: 'POST', body: JSON.stringify(fields) });
        return {
          status: response.status,
          body: (await response.json()) as { reason?: string; outcome: string },
        };
      };
      // Fresh as far as the Timestamp goes, so the certificate is looked up: the pinned one is found
      // (no network here, a fetch would have answered 503), and refused because it has expired.
      const fresh = { ...notification, Timestamp: new Date().toISOString() };
      const pinnedButExpired = await post(fresh);
      assert.equal(pinnedButExpired.status, 403);
      assert.match(pinnedButExpired.body.reason ?? '', /^SigningCertURL: certificate not valid now/);
      // A certificate that is not pinned is never fetched: 503, so SNS retries while it is added.
      const notPinned = await post({
        ...fresh,
        SigningCertURL:
          'https://sns.us-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem',
      });
      assert.deepEqual([notPinned.status, notPinned.body.outcome], [503, 'certificate-unavailable']);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
  });
});
