/** `ses-kafka serve` as a process: start-up errors, refusals on the wire, and a clean SIGTERM stop. */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ses-events';
const cli = ['--import', 'tsx', 'src/cli/main.ts', 'serve'];

describe('http: ses-kafka serve CLI', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('refuses to start without an allowed topic and says how to fix it', () => {
    const env = { ...process.env, SES_KAFKA_SNS_ALLOWED_TOPIC_ARNS: '' };
    const result = spawnSync(process.execPath, [...cli, '--port', '0'], { encoding: 'utf8', env });
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /^ses-kafka serve: error: --topic-arn: required: no SNS topic allowed; pass --topic-arn ARN/m,
    );
  });

  it('serves on the given port, refuses unsigned and wrong-method requests, and stops on SIGTERM', async () => {
    child = spawn(
      process.execPath,
      [...cli, '--local', '--host', '127.0.0.1', '--port', '0', '--topic-arn', TOPIC, '--max-body', '2048'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' } },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no listening line; output so far: ${output}`)),
        30_000,
      );
      child?.stdout?.on('data', () => {
        const match = /listening on (http:\/\/\S+) for 1 SNS topic/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });

    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      body: JSON.stringify({
        Type: 'Notification',
        MessageId: 'm',
        TopicArn: TOPIC,
        Message: '{}',
        Timestamp: 'now',
      }),
    });
    assert.equal(unsigned.status, 400);
    assert.equal(
      ((await unsigned.json()) as { reason: string }).reason,
      'SignatureVersion: required string missing',
    );

    const oversized = await fetch(url, { method: 'POST', body: 'x'.repeat(4096) });
    assert.equal(oversized.status, 413);
    const wrongMethod = await fetch(url, { method: 'PUT', body: '{}' });
    assert.equal(wrongMethod.status, 405);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
  });

  it('as a container runs it (node bin/ses-kafka.js serve): SIGTERM answers the request in flight, refuses new ones, exits 0', async () => {
    child = spawn(
      process.execPath,
      ['bin/ses-kafka.js', 'serve', '--local', '--host', '127.0.0.1', '--port', '0', '--topic-arn', TOPIC],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' } },
    );
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no listening line; output so far: ${output}`)),
        30_000,
      );
      child?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+) for 1 SNS topic/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    const { port } = new URL(url);

    // A request in flight: headers and half of its body sent. `Expect: 100-continue` makes the server say
    // when it has read the headers; before that the connection counts as idle and a stopping server may
    // close it (on a loaded machine the SIGTERM once overtook the headers and the socket was reset).
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    const body = '{"Type": "Notification"}';
    let answer = '';
    const headersRead = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString();
        if (answer.startsWith('HTTP/1.1 100 ')) resolve();
      });
    });
    socket.write(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await headersRead;
    socket.write(body.slice(0, 10));

    const stoppedAt = Date.now();
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(child.exitCode, null, 'still answering the request in flight');
    await assert.rejects(
      fetch(url, { method: 'POST', body: '{}' }),
      'a new connection is refused while stopping',
    );

    socket.write(body.slice(10));
    await once(socket, 'close');
    assert.match(
      answer,
      /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400 /,
      'the request in flight got its answer',
    );
    const [code] = await exited;
    assert.equal(code, 0, output);
    assert.ok(Date.now() - stoppedAt < 15_000, 'stopped well within a container grace period');
    assert.doesNotMatch(output, /\n\s+at .*\.ts:\d+/, 'no stack trace');
  });

  it('started through npx, killing the npx process stops the server too', async () => {
    // npm exec does not pass SIGTERM on; serve notices it lost its parent and stops as on SIGTERM.
    child = spawn(
      'npx',
      ['ses-kafka', 'serve', '--local', '--host', '127.0.0.1', '--port', '0', '--topic-arn', TOPIC],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no listening line; output so far: ${output}`)),
        45_000,
      );
      child?.stdout?.on('data', () => {
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+) /.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
    child.kill('SIGTERM');
    const stillListening = async () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    const deadline = Date.now() + 15_000;
    while ((await stillListening()) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    assert.equal(await stillListening(), false, 'the server stopped after its npx parent was killed');
  });
});
