import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/lint-deploy.sh', import.meta.url));

interface Outcome {
  code: number;
  output: string;
}

async function lintDeploy(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run('bash', [SCRIPT, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

// Runs the real linters from PyPI (cfn-lint, checkov). The first run on a machine builds their venv
// under .stack/ (a few minutes); later runs take about half a minute, most of it checkov.
describe('scripts/lint-deploy.sh', function () {
  this.timeout(15 * 60_000);

  it('passes deploy/template.yaml through cfn-lint and checkov', async () => {
    const { code, output } = await lintDeploy();
    assert.equal(code, 0, output);
    assert.match(output, /cfn-lint: no findings/);
    assert.match(output, /checkov: no failed checks/);
  });

  it('fails on a template with findings from both linters', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lint-deploy-'));
    try {
      const bad = path.join(dir, 'template.yaml');
      // An unencrypted queue (checkov CKV_AWS_27) and a property CloudFormation does not know (cfn-lint E3002).
      writeFileSync(
        bad,
        [
          "AWSTemplateFormatVersion: '2010-09-09'",
          'Resources:',
          '  Queue:',
          '    Type: AWS::SQS::Queue',
          '    Properties:',
          '      VisibilityTimeoutSeconds: 30',
          '',
        ].join('\n'),
      );
      const { code, output } = await lintDeploy(bad);
      assert.equal(code, 1, output);
      assert.match(output, /E3002/);
      assert.match(output, /CKV_AWS_27/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
