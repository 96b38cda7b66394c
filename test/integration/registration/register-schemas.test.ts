import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type RegisterSchemasIo, runRegisterSchemas } from '../../../src/cli/register-schemas.ts';
import { registerSchemas } from '../../../src/registration/register-schemas.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';
import {
  closedPort,
  deleteScratchRegistries,
  endpoints,
  localGlue,
  requireRegistries,
  scratchRegistryName,
  uniqueName,
} from '../serde/support.ts';

const V1_FILE = path.join(REPO_ROOT, 'schemas/ses-email-event/v1.avsc');
const V2_FILE = path.join(REPO_ROOT, 'schemas/ses-email-event/v2.avsc');
const v1 = JSON.parse(readFileSync(V1_FILE, 'utf8')) as { fields: object[] };
const v2 = JSON.parse(readFileSync(V2_FILE, 'utf8')) as { fields: object[] };

/** v2 plus a field with no default: readers of it cannot read v2 data, so BACKWARD must refuse it. */
const incompatible = { ...v2, fields: [...v2.fields, { name: 'warehouseBatchId', type: 'string' }] };
const INCOMPATIBLE_FILE = path.join(tmpdir(), `ses-email-event-incompatible-${process.pid}.avsc`);

function captureIo(): RegisterSchemasIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, writeOut: (text) => out.push(text), writeErr: (text) => err.push(text) };
}

async function glueLatestVersion(registryName: string, schemaName: string): Promise<number | undefined> {
  return (await localGlue().getSchema(registryName, schemaName))?.latestVersion;
}

async function confluentVersions(subject: string): Promise<number[]> {
  const response = await fetch(`${endpoints.registryUrl}/subjects/${encodeURIComponent(subject)}/versions`);
  return response.status === 404 ? [] : ((await response.json()) as number[]);
}

describe('register-schemas against the real registries', function () {
  this.timeout(60_000);
  before(async () => {
    await requireRegistries();
    writeFileSync(INCOMPATIBLE_FILE, JSON.stringify(incompatible));
  });
  afterEach(deleteScratchRegistries);

  describe('Glue (moto)', () => {
    it('creates registry and schema, registers v2, is idempotent, and sets the compatibility', async () => {
      const registryName = scratchRegistryName('reg-it');
      const glue = { registry: localGlue(), registryName, schemaName: 'ses-email-event' };
      const first = await registerSchemas({ schema: v1, target: 'glue', glue });
      assert.equal(first.status, 'registered');
      assert.equal(first.version, 1);
      const second = await registerSchemas({
        schema: v2,
        target: 'glue',
        glue,
        compatibility: 'BACKWARD_TRANSITIVE',
      });
      assert.equal(second.status, 'registered');
      assert.equal(second.version, 2);
      assert.equal(
        (await localGlue().getSchema(registryName, 'ses-email-event'))?.compatibility,
        'BACKWARD_ALL',
      );
      const again = await registerSchemas({
        schema: v2,
        target: 'glue',
        glue,
        compatibility: 'BACKWARD_TRANSITIVE',
      });
      assert.equal(again.status, 'unchanged');
      assert.deepEqual(again.actions, []);
      assert.equal(again.id, second.id);
      assert.equal(await glueLatestVersion(registryName, 'ses-email-event'), 2);
    });

    it('dry run reports the plan and writes nothing', async () => {
      const registryName = scratchRegistryName('reg-dry');
      const result = await registerSchemas({
        schema: v1,
        target: 'glue',
        dryRun: true,
        glue: { registry: localGlue(), registryName, schemaName: 'ses-email-event' },
      });
      assert.equal(result.status, 'would-change');
      assert.ok(
        result.actions.some((action) => action.startsWith('create schema')),
        result.actions.join('; '),
      );
      assert.equal(await glueLatestVersion(registryName, 'ses-email-event'), undefined);
    });

    it('CLI: exit 1 naming the offending field, nothing registered; exit 0 on re-run of a registered schema', async () => {
      const registryName = scratchRegistryName('reg-cli');
      const flags = {
        registry: 'glue' as const,
        compatibility: 'BACKWARD',
        local: true,
        glueRegistry: registryName,
        glueSchema: 'ses',
      };
      assert.equal(await runRegisterSchemas({ ...flags, schema: V1_FILE }, captureIo()), 0);
      assert.equal(await runRegisterSchemas({ ...flags, schema: V2_FILE }, captureIo()), 0);
      const io = captureIo();
      assert.equal(await runRegisterSchemas({ ...flags, schema: INCOMPATIBLE_FILE }, io), 1);
      assert.match(io.out.join('\n'), /INCOMPATIBLE under BACKWARD/);
      assert.match(io.out.join('\n'), /field "warehouseBatchId" is new and has no default/);
      assert.equal(await glueLatestVersion(registryName, 'ses'), 2);
      const rerun = captureIo();
      assert.equal(await runRegisterSchemas({ ...flags, schema: V2_FILE, json: true }, rerun), 0);
      const json = JSON.parse(rerun.out.join('')) as { status: string; version: number };
      assert.equal(json.status, 'unchanged');
      assert.equal(json.version, 2);
    });
  });

  describe('Confluent-compatible (Apicurio)', () => {
    it('registers v1 then v2 under <topic>-value, is idempotent, and refuses the incompatible schema', async () => {
      const topic = uniqueName('reg-it');
      const confluent = { url: endpoints.registryUrl, topic };
      assert.equal(
        (await registerSchemas({ schema: v1, target: 'confluent', confluent })).status,
        'registered',
      );
      assert.equal(
        (await registerSchemas({ schema: v2, target: 'confluent', confluent })).status,
        'registered',
      );
      assert.equal(
        (await registerSchemas({ schema: v2, target: 'confluent', confluent })).status,
        'unchanged',
      );
      const refused = await registerSchemas({ schema: incompatible, target: 'confluent', confluent });
      assert.equal(refused.status, 'incompatible');
      assert.deepEqual(
        refused.violations.map((violation) => [violation.path, violation.version]),
        [['warehouseBatchId', 2]],
      );
      assert.deepEqual(await confluentVersions(`${topic}-value`), [1, 2]);
      const config = await fetch(`${endpoints.registryUrl}/config/${topic}-value`);
      assert.equal(((await config.json()) as { compatibilityLevel: string }).compatibilityLevel, 'BACKWARD');
    });

    it('FULL refuses dropping a field the previous version requires', async () => {
      const topic = uniqueName('reg-full');
      const confluent = { url: endpoints.registryUrl, topic };
      const schema = {
        type: 'record',
        name: 'Mini',
        namespace: 'test.registration',
        fields: [
          { name: 'a', type: 'string' },
          { name: 'b', type: 'int' },
        ],
      };
      await registerSchemas({ schema, target: 'confluent', confluent, compatibility: 'FULL' });
      const dropped = { ...schema, fields: [schema.fields[0]] };
      const result = await registerSchemas({
        schema: dropped,
        target: 'confluent',
        confluent,
        compatibility: 'FULL',
      });
      assert.equal(result.status, 'incompatible');
      assert.match(result.violations[0]?.message ?? '', /field "b" was removed/);
    });
  });

  describe('the command as a process', () => {
    const execFileAsync = promisify(execFile);
    const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      try {
        const { stdout, stderr } = await execFileAsync(
          process.execPath,
          ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts'), 'register-schemas', ...args],
          { cwd: REPO_ROOT },
        );
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    };

    it('exits 1 for an incompatible schema, 3 when the registry is unreachable, 2 for a bad setting', async () => {
      const topic = uniqueName('reg-proc');
      const common = ['--registry', 'confluent', '--registry-url', endpoints.registryUrl, '--topic', topic];
      assert.equal((await run(['--schema', V2_FILE, ...common])).code, 0);
      const refused = await run(['--schema', INCOMPATIBLE_FILE, ...common, '--json']);
      assert.equal(refused.code, 1, refused.stderr);
      assert.equal(
        (JSON.parse(refused.stdout) as { violations: { path: string }[] }).violations[0]?.path,
        'warehouseBatchId',
      );
      const down = `http://127.0.0.1:${await closedPort()}/apis/ccompat/v7`;
      const unreachable = await run([
        '--schema',
        V2_FILE,
        '--registry',
        'confluent',
        '--registry-url',
        down,
        '--topic',
        topic,
      ]);
      assert.equal(unreachable.code, 3);
      assert.match(
        unreachable.stderr,
        /^ses-kafka register-schemas: error: REGISTRY_UNREACHABLE: .*unreachable/m,
      );
      assert.ok(unreachable.stderr.includes(down));
      const badFlag = await run([
        '--schema',
        V2_FILE,
        '--registry',
        'confluent',
        '--local',
        '--topic',
        topic,
        '--compatibility',
        'SIDEWAYS',
      ]);
      assert.equal(badFlag.code, 2);
      assert.match(
        badFlag.stderr,
        /^ses-kafka register-schemas: error: --compatibility: expected one of .*"SIDEWAYS"/m,
      );
    });
  });
});
