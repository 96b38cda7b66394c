/**
 * MSK IAM authentication, checked without AWS.
 *
 * This test stands in for real IAM: IAM and STS cannot run locally, so no broker here can validate an
 * MSK IAM token. What we can check is everything on our side of the wire: the signer produces a
 * base64url presigned `kafka-cluster:Connect` URL, signed with the credentials we supplied (recomputed
 * here with SigV4 from first principles), with the advertised expiry, refreshed before it lapses, and
 * without any network call (sockets are blocked for the duration of these tests).
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import net from 'node:net';
import { kafkaClientConfig } from '../../../src/kafka/client.ts';
import { mskIamTokenCache, signMskIamToken } from '../../../src/kafka/msk-iam.ts';

const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
};
const REGION = 'eu-central-1';

function decodeToken(token: string): URL {
  assert.match(token, /^[A-Za-z0-9_-]+$/, 'token must be unpadded base64url');
  return new URL(Buffer.from(token, 'base64url').toString('utf8'));
}

// RFC 3986 escaping as SigV4 wants it.
function sigv4Escape(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Recomputes the SigV4 query signature of a presigned GET on `/` with only the host header signed. */
function expectedSignature(url: URL, secretAccessKey: string): string {
  const params = [...url.searchParams.entries()].filter(
    // User-Agent is appended by the signer after signing, so it is not covered by the signature.
    ([key]) => key !== 'X-Amz-Signature' && key !== 'User-Agent',
  );
  const canonicalQuery = params
    .map(([key, value]) => `${sigv4Escape(key)}=${sigv4Escape(value)}`)
    .sort()
    .join('&');
  const emptyPayloadHash = createHash('sha256').update('').digest('hex');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    `host:${url.host}`,
    '',
    'host',
    emptyPayloadHash,
  ].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const scope = (url.searchParams.get('X-Amz-Credential') ?? '').split('/').slice(1).join('/');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  const [day, region, service, terminator] = scope.split('/') as [string, string, string, string];
  let key: Buffer = createHmac('sha256', `AWS4${secretAccessKey}`).update(day).digest();
  for (const part of [region, service, terminator]) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function amzDateToMillis(amzDate: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  assert.ok(match, `bad X-Amz-Date ${amzDate}`);
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s);
}

describe('MSK IAM tokens (a local stand-in for IAM, which cannot run here)', () => {
  const originalConnect = net.Socket.prototype.connect;
  const connectAttempts: unknown[] = [];
  const savedEnv = { ...process.env };

  before(() => {
    net.Socket.prototype.connect = function blocked(this: net.Socket, ...args: unknown[]) {
      connectAttempts.push(args[0]);
      throw new Error('network access is not allowed in the MSK IAM unit tests');
    } as typeof net.Socket.prototype.connect;
  });

  after(() => {
    net.Socket.prototype.connect = originalConnect;
    process.env = savedEnv;
  });

  afterEach(() => {
    assert.deepEqual(connectAttempts, [], 'the signer must not open any connection');
  });

  it('is a base64url presigned kafka-cluster:Connect URL signed with the given credentials', async () => {
    const before = Date.now();
    const token = await signMskIamToken({ region: REGION, credentials: FAKE_CREDENTIALS });
    const url = decodeToken(token.value);

    assert.equal(url.protocol, 'https:');
    assert.equal(url.host, `kafka.${REGION}.amazonaws.com`);
    assert.equal(url.pathname, '/');
    assert.equal(url.searchParams.get('Action'), 'kafka-cluster:Connect');
    assert.equal(url.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'host');
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), FAKE_CREDENTIALS.sessionToken);
    assert.equal(url.searchParams.get('X-Amz-Expires'), '900');

    const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
    const signedAt = amzDateToMillis(amzDate);
    assert.ok(signedAt >= Math.floor(before / 1000) * 1000 - 1000 && signedAt <= Date.now());
    assert.equal(
      url.searchParams.get('X-Amz-Credential'),
      `${FAKE_CREDENTIALS.accessKeyId}/${amzDate.slice(0, 8)}/${REGION}/kafka-cluster/aws4_request`,
    );
    assert.match(url.searchParams.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);
    assert.equal(
      url.searchParams.get('X-Amz-Signature'),
      expectedSignature(url, FAKE_CREDENTIALS.secretAccessKey),
    );
    assert.notEqual(
      url.searchParams.get('X-Amz-Signature'),
      expectedSignature(url, 'some-other-secret'),
      'the signature must depend on the secret key',
    );
    assert.equal(token.expiresAt, signedAt + 900_000);
  });

  it('signs with credentials from the environment (the Lambda case) without calling STS', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAENVEXAMPLE000001';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret-example';
    process.env.AWS_SESSION_TOKEN = 'env-session-example';
    const token = await signMskIamToken({ region: 'us-east-1' });
    const url = decodeToken(token.value);
    assert.match(url.searchParams.get('X-Amz-Credential') ?? '', /^AKIAENVEXAMPLE000001\/\d{8}\/us-east-1\//);
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), 'env-session-example');
    assert.equal(url.searchParams.get('X-Amz-Signature'), expectedSignature(url, 'env-secret-example'));
  });

  it('re-signs after 80% of the 15-minute lifetime, not before', async () => {
    let signed = 0;
    const credentials = async () => {
      signed += 1;
      return FAKE_CREDENTIALS;
    };
    const clock = { offset: 0 };
    const cache = mskIamTokenCache({ region: REGION, credentials, now: () => Date.now() + clock.offset });

    const first = await cache.token();
    assert.equal(signed, 1);
    const lifetime = first.expiresAt - Date.now();
    assert.ok(lifetime > 890_000 && lifetime <= 900_000, `lifetime ${lifetime}`);
    const refreshIn = (cache.refreshAt ?? 0) - Date.now();
    assert.ok(refreshIn > 710_000 && refreshIn <= 720_000, `refresh in ${refreshIn} ms`);

    clock.offset = 700_000;
    assert.equal((await cache.token()).value, first.value);
    assert.equal(signed, 1);
    clock.offset = 721_000;
    await cache.token();
    assert.equal(signed, 2);
  });

  it('ends the token with credentials that expire sooner, keeping X-Amz-Expires a whole number', async () => {
    const expiration = new Date(Date.now() + 100_000);
    let signed = 0;
    const credentials = async () => {
      signed += 1;
      return { ...FAKE_CREDENTIALS, expiration };
    };
    const cache = mskIamTokenCache({ region: REGION, credentials });
    const token = await cache.token();
    const url = decodeToken(token.value);
    assert.match(url.searchParams.get('X-Amz-Expires') ?? '', /^\d+$/);
    assert.equal(
      url.searchParams.get('X-Amz-Signature'),
      expectedSignature(url, FAKE_CREDENTIALS.secretAccessKey),
    );
    assert.equal(token.expiresAt, expiration.getTime());
    const refreshIn = (cache.refreshAt ?? 0) - Date.now();
    assert.ok(refreshIn > 75_000 && refreshIn <= 80_000, `refresh in ${refreshIn} ms`);
    assert.equal(signed, 1);
  });

  it('is what the kafkajs client presents over SASL/OAUTHBEARER, with TLS on', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAENVEXAMPLE000002';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret-example-2';
    delete process.env.AWS_SESSION_TOKEN;
    const config = kafkaClientConfig({
      brokers: ['b-1.msk.example:9098'],
      topic: 't',
      dlqTopic: 't.dlq',
      clientId: 'test',
      auth: { mode: 'msk-iam', region: 'us-east-1' },
      tls: { enabled: true },
      sendTimeoutMs: 1000,
      connectionTimeoutMs: 1000,
    });
    assert.equal(config.ssl, true);
    assert.ok(config.sasl && 'oauthBearerProvider' in config.sasl && config.sasl.mechanism === 'oauthbearer');
    const { value } = await config.sasl.oauthBearerProvider();
    const url = decodeToken(value);
    assert.equal(url.searchParams.get('Action'), 'kafka-cluster:Connect');
    assert.match(url.searchParams.get('X-Amz-Credential') ?? '', /^AKIAENVEXAMPLE000002\//);
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), null);
  });
});
