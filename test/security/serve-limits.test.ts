/**
 * Threats against `serve` as a service: slow clients holding connections (slowloris bodies), too many
 * connections, downgrade to SHA1 signatures, and forged requests that make it fetch certificates from
 * made-up hosts or over and over. All on loopback, bounded in count and time.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { type RunningSnsServer, startServer } from '../../src/http/server.ts';
import { isSnsHostname } from '../../src/http/sns-trust.ts';
import {
  type FakeSnsHost,
  generateIdentity,
  type Identity,
  notificationFields,
  recordingLogger,
  signFields,
  startFakeSnsHost,
  TOPIC_ARN,
} from '../unit/http/support/sns-fixtures.ts';

describe('security: serve under hostile clients', function () {
  this.timeout(60_000);
  let signing: Identity;
  let sns: FakeSnsHost;
  let tlsCa: string;
  const servers: RunningSnsServer[] = [];

  before(async () => {
    signing = generateIdentity('sns-signing');
    const tls = generateIdentity('127.0.0.1');
    tlsCa = tls.certPem;
    sns = await startFakeSnsHost(signing, tls);
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await sns?.close();
  });

  async function serve(options: Partial<Parameters<typeof startServer>[0]> = {}) {
    const log = recordingLogger();
    const handled: string[] = [];
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      allowedTopicArns: [TOPIC_ARN],
      logger: log,
      handleNotification: async (message) => {
        handled.push(message.MessageId);
        return 'ok';
      },
      testOnlyTrust: { extraHosts: [sns.host], ca: tlsCa },
      ...options,
    });
    servers.push(server);
    return { server, log, handled };
  }
  const post = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', body: JSON.stringify(body) }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as { outcome: string; reason?: string },
    }));

  it('answers 408 and disconnects a body trickled in slower than the request timeout, on time', async () => {
    const { server } = await serve({ requestTimeoutMs: 1_000 });
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    await once(socket, 'connect');
    const started = Date.now();
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n');
    const trickle = setInterval(() => socket.write('a'), 200);
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    await once(socket, 'close');
    clearInterval(trickle);
    const elapsed = Date.now() - started;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(elapsed >= 950 && elapsed < 1_800, `closed after ${elapsed} ms against a 1000 ms timeout`);
  });

  it('closes connections beyond --max-connections on arrival', async () => {
    const { server } = await serve({ maxConnections: 2 });
    const port = Number(new URL(server.url).port);
    const held: Socket[] = [];
    for (let i = 0; i < 2; i++) {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      held.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = connect(port, '127.0.0.1');
    const closed = once(third, 'close');
    third.on('error', () => {});
    third.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}');
    let answered = '';
    third.on('data', (chunk: Buffer) => {
      answered += chunk.toString();
    });
    await closed;
    assert.equal(answered, '', 'the third connection got no answer');
    for (const socket of held) socket.destroy();
  });

  it('--require-signature-version 2 refuses a genuine SignatureVersion 1 message and takes version 2', async () => {
    const { server, handled } = await serve({ requireSignatureVersion: '2' });
    const v1 = await post(server.url, signFields(notificationFields(sns.certUrl), signing.keyPem, '1'));
    assert.equal(v1.status, 403);
    assert.match(
      v1.body.reason ?? '',
      /^SignatureVersion: "1" refused; this endpoint requires SignatureVersion 2/,
    );
    const v2 = await post(server.url, signFields(notificationFields(sns.certUrl), signing.keyPem, '2'));
    assert.equal(v2.status, 200);
    assert.equal(handled.length, 1);
  });

  it("accepts SNS hosts of real AWS regions only, and only the one of the topic's region", () => {
    for (const host of [
      'sns.eu-west-1.amazonaws.com',
      'sns.cn-north-1.amazonaws.com.cn',
      'sns.us-gov-west-1.amazonaws.com',
    ]) {
      assert.ok(isSnsHostname(host), host);
    }
    for (const host of [
      'sns.us-fake-9.amazonaws.com',
      'sns.eu-west-99.amazonaws.com',
      'sns.aws-global.amazonaws.com',
      'sns.cn-north-1.amazonaws.com',
    ]) {
      assert.equal(isSnsHostname(host), false, host);
    }
  });

  it('a forged request naming a made-up region or another region is refused before any fetch', async () => {
    const { server, log } = await serve();
    const before = sns.requests;
    for (const host of ['sns.us-fake-9.amazonaws.com', 'sns.eu-west-1.amazonaws.com']) {
      const reply = await post(
        server.url,
        signFields(
          notificationFields(`https://${host}/SimpleNotificationService-0123.pem`),
          signing.keyPem,
          '2',
        ),
      );
      assert.equal(reply.status, 403, host);
      assert.match(reply.body.reason ?? '', /^SigningCertURL: host /);
    }
    assert.equal(sns.requests, before);
    assert.ok(log.lines.every((line) => line.level !== 'error'));
  });

  it('a flood naming one missing certificate costs one fetch; a query string does not make a new one', async () => {
    const { server, log } = await serve();
    const before = sns.requests;
    const missing = `${sns.origin}/SimpleNotificationService-missing.pem`;
    const replies = [];
    for (let i = 0; i < 20; i++) {
      replies.push(
        await post(server.url, signFields(notificationFields(`${missing}?n=${i}`), signing.keyPem, '2')),
      );
    }
    assert.deepEqual(new Set(replies.map((reply) => reply.status)), new Set([403]));
    assert.equal(sns.requests - before, 1, 'one fetch for twenty forged requests');
    assert.ok(
      log.lines.every((line) => line.level === 'warn'),
      'forged requests are logged at WARN',
    );

    const fetchesBefore = sns.certificateFetches;
    const genuine = await Promise.all(
      [1, 2, 3].map((n) =>
        post(server.url, signFields(notificationFields(`${sns.certUrl}?v=${n}`), signing.keyPem, '2')),
      ),
    );
    assert.deepEqual(
      genuine.map((reply) => reply.status),
      [200, 200, 200],
    );
    assert.equal(sns.certificateFetches - fetchesBefore, 1);
  });
});
