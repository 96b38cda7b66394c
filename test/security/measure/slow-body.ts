/**
 * Measurement for the security report, not a test: how long a request whose body trickles in at one
 * byte a second survives against `serve` built from the given source tree, with the given timeout.
 *   npx tsx test/security/measure/slow-body.ts <repository root> [timeout ms, default 30000]
 */
import { connect } from 'node:net';

const root = process.argv[2] ?? '.';
const timeoutMs = Number(process.argv[3] ?? 30_000);
const { startServer } = (await import(
  `${root}/src/http/server.ts`
)) as typeof import('../../../src/http/server.ts');
const running = await startServer({
  allowedTopicArns: ['arn:aws:sns:us-east-1:123456789012:t'],
  handleNotification: async () => 'ok',
  port: 0,
  host: '127.0.0.1',
  requestTimeoutMs: timeoutMs,
});
const started = Date.now();
const socket = connect(Number(new URL(running.url).port), '127.0.0.1');
socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n');
const trickle = setInterval(() => socket.write('a'), 1000);
let answer = '';
socket.on('data', (chunk: Buffer) => {
  answer += chunk.toString();
});
socket.on('close', async () => {
  clearInterval(trickle);
  const status = answer.split('\r\n')[0] || '(no answer)';
  process.stdout.write(
    `configured ${timeoutMs} ms: connection closed after ${Date.now() - started} ms, ${status}\n`,
  );
  await running.close();
});
