/** `ses-kafka serve` as a process: start-up errors, refusals on the wire, and a clean SIGTERM stop. */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';

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
    assert.match(result.stderr, /--topic-arn: no SNS topic allowed; pass --topic-arn ARN/);
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
});
