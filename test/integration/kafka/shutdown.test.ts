import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTopics, uniqueTopic } from './support.ts';

const CHILD = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));

describe('SIGTERM shutdown hook', function () {
  this.timeout(60_000);

  for (const client of ['kafkajs', 'platformatic'] as const)
    it(`${client}: disconnects the producer and lets the process exit`, async () => {
      const topic = uniqueTopic('shutdown');
      await createTopics([topic], 1);
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, topic, client], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

      const deadline = Date.now() + 30_000;
      while (!stdout.includes('ready') && Date.now() < deadline && child.exitCode === null) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(stdout, /sent\nready/, `child did not get ready: ${stdout}${stderr}`);
      assert.doesNotMatch(stdout, /producer disconnected/);

      const signalledAt = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      assert.equal(code, 0, `exit code ${code}; stderr: ${stderr}`);
      assert.ok(Date.now() - signalledAt < 5_000);
      assert.match(stdout, /producer disconnected/);
      assert.match(stdout, /SIGTERM: disconnecting Kafka producers/);
    });
});
