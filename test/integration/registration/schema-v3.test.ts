/**
 * Base schema v3 (the EventBridge facts in `source`) is the latest, and `ses-kafka register-schemas` as a
 * process accepts it on top of v1 and v2 in both registries: BACKWARD holds, so teams already on v2
 * upgrade without touching their consumers. The command's default `--schema` is v3.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { LATEST_BASE_SCHEMA_VERSION } from '../../../src/ses/base-schema.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import {
  deleteScratchRegistries,
  endpoints,
  localGlue,
  requireRegistries,
  scratchRegistryName,
  uniqueName,
} from '../serde/support.ts';

const execFileAsync = promisify(execFile);
const schemaFile = (version: string) => path.join(REPO_ROOT, `schemas/ses-email-event/${version}.avsc`);

interface Outcome {
  code: number;
  result: { status: string; version?: number; violations?: unknown[] };
  stderr: string;
}

async function registerSchemasCli(args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'register-schemas', '--json', ...args],
      { cwd: REPO_ROOT, timeout: 60_000 },
    );
    return { code: 0, result: JSON.parse(stdout), stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, result: JSON.parse(failed.stdout || '{}'), stderr: failed.stderr };
  }
}

describe('base schema v3 through register-schemas (real registries)', function () {
  this.timeout(120_000);
  before(requireRegistries);
  after(deleteScratchRegistries);

  it('Confluent-compatible (Apicurio): v2, then v3 as the default --schema, register as versions 1 and 2', async () => {
    assert.equal(LATEST_BASE_SCHEMA_VERSION, 'v3');
    const topic = uniqueName('reg-v3');
    const common = ['--target', 'confluent', '--registry-url', endpoints.registryUrl, '--topic', topic];
    const versions: number[] = [];
    for (const args of [['--schema', schemaFile('v2')], []]) {
      const outcome = await registerSchemasCli([...args, ...common]);
      assert.equal(outcome.code, 0, outcome.stderr);
      assert.equal(outcome.result.status, 'registered', JSON.stringify(outcome.result));
      versions.push(outcome.result.version as number);
    }
    assert.deepEqual(versions, [1, 2]);
    const registered = await fetch(
      `${endpoints.registryUrl}/subjects/${encodeURIComponent(`${topic}-value`)}/versions/2`,
    );
    const latest = JSON.parse(((await registered.json()) as { schema: string }).schema);
    const source = latest.fields.find((field: { name: string }) => field.name === 'source');
    assert.ok(
      source.type.fields.some((field: { name: string }) => field.name === 'eventBridgeId'),
      'the default --schema is v3',
    );
  });

  it('Glue (moto): v2 then v3, checked BACKWARD by the command itself', async () => {
    const registryName = scratchRegistryName('reg-v3');
    const common = [
      '--target',
      'glue',
      '--local',
      '--glue-registry',
      registryName,
      '--topic',
      uniqueName('reg-v3'),
    ];
    const v2 = await registerSchemasCli(['--schema', schemaFile('v2'), ...common]);
    assert.equal(v2.code, 0, v2.stderr);
    const v3 = await registerSchemasCli(['--schema', schemaFile('v3'), ...common]);
    assert.equal(v3.code, 0, v3.stderr);
    assert.equal(v3.result.status, 'registered');
    assert.equal(v3.result.version, 2);
    const glueSchema = await localGlue().getSchema(registryName, common[common.length - 1] as string);
    assert.equal(glueSchema?.latestVersion, 2);
  });
});
