import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { renderConfigurationDoc } from '../../../src/config/configuration-doc.ts';
import { allSettings, readSetting, SETTINGS, type SettingKey } from '../../../src/config/settings.ts';
import type { ConfigError } from '../../../src/errors.ts';
import { REPO_ROOT } from '../../../src/stack/paths.ts';

function filesUnder(dir: string, extensions: readonly string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(full).isDirectory()) return filesUnder(full, extensions);
    return extensions.some((extension) => name.endsWith(extension)) ? [full] : [];
  });
}

/** Environment variables the code reads: process.env.X / env.X / env['X'] in TypeScript, $X in shell. */
function variablesReadByCode(): Map<string, string> {
  const found = new Map<string, string>();
  const sources = [
    ...filesUnder(path.join(REPO_ROOT, 'src'), ['.ts']),
    ...filesUnder(path.join(REPO_ROOT, 'scripts'), ['.ts', '.sh', '.mjs']),
    ...filesUnder(path.join(REPO_ROOT, 'bench'), ['.ts', '.mjs']),
    path.join(REPO_ROOT, '.ci', 'run'),
  ];
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    const shell = file.endsWith('.sh') || file.endsWith('run');
    const patterns = shell
      ? [/\$\{?([A-Z][A-Z0-9_]{2,})(?=[}:\s"'/-]|$)/gm]
      : [/\benv(?:\?)?\.([A-Z][A-Z0-9_]{2,})\b/g, /\benv\[['"]([A-Z][A-Z0-9_]{2,})['"]\]/g];
    // A shell script's own variables (assigned in it) are not read from the environment.
    const assigned = shell
      ? new Set(
          [...text.matchAll(/^\s*(?:local\s+|export\s+)?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]),
        )
      : new Set<string | undefined>();
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        const name = match[1] as string;
        if (!assigned.has(name)) found.set(name, path.relative(REPO_ROOT, file));
      }
    }
  }
  return found;
}

/** Variables shells and runtimes set for everyone, which are not this project's settings. */
const NOT_OURS = new Set([
  'PATH',
  'HOME',
  'PWD',
  'USER',
  'SHELL',
  'TERM',
  'TMPDIR',
  'DEBIAN_FRONTEND',
  'BASH_SOURCE',
  'NODE_OPTIONS',
]);

describe('settings: one declaration each, documented', () => {
  it('docs/configuration.md is what the declarations render (run npm run docs:config when this fails)', () => {
    const current = readFileSync(path.join(REPO_ROOT, 'docs', 'configuration.md'), 'utf8');
    assert.equal(current, renderConfigurationDoc());
  });

  it('every environment variable the code reads is a declared setting', () => {
    const declared = new Set(
      allSettings().flatMap(([, setting]) => [setting.env, ...(setting.aliases ?? [])]),
    );
    const undeclared = [...variablesReadByCode()]
      .filter(([name]) => !declared.has(name) && !NOT_OURS.has(name))
      .map(([name, file]) => `${name} (${file})`);
    assert.deepEqual(undeclared, [], 'declare these in src/config/settings.ts');
  });

  it('every declared setting is read: by a loader through its key, or by the tool it is documented for', () => {
    const code = filesUnder(path.join(REPO_ROOT, 'src'), ['.ts'])
      .filter((file) => !file.endsWith(path.join('config', 'settings.ts')))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const unread = allSettings()
      .filter(([key, setting]) => !setting.external && !code.includes(`'${key}'`))
      .map(([key]) => key);
    assert.deepEqual(unread, [], 'a setting nothing reads is documented but does nothing');
  });

  it('names the variable and what is expected, and never echoes a secret', () => {
    assert.throws(
      () => readSetting({ SES_KAFKA_AUTH: 'iam' }, 'kafkaAuth'),
      (error: ConfigError) =>
        error.key === 'SES_KAFKA_AUTH' &&
        /expected one of none, msk-iam/.test(error.message) &&
        /"iam"/.test(error.message),
    );
    assert.throws(
      () => readSetting({ STACK_KAFKA_PORT: '99999' }, 'stackKafkaPort'),
      /STACK_KAFKA_PORT: expected a whole number from 1 to 65535, got "99999"/,
    );
    const secrets = allSettings().filter(([, setting]) => setting.secret);
    assert.ok(secrets.length >= 4);
    for (const [key, setting] of secrets) {
      assert.equal(setting.flag, undefined, `${key} is secret: no flag (it would show in ps)`);
    }
  });

  it('treats an empty value as unset, and an old name as the new one unless both disagree', () => {
    assert.equal(readSetting({ SES_KAFKA_REGISTRY: '  ' }, 'registry'), 'confluent');
    assert.deepEqual(readSetting({ bootstrap_server: 'a:1' }, 'brokers'), ['a:1']);
    assert.throws(
      () => readSetting({ bootstrap_server: 'a:1', SES_KAFKA_BROKERS: 'b:2' }, 'brokers'),
      /unset bootstrap_server/,
    );
  });

  it('declares each variable and each flag once', () => {
    const variables = allSettings().map(([, setting]) => setting.env);
    assert.equal(new Set(variables).size, variables.length);
    const flags = allSettings().flatMap(([, setting]) => (setting.flag === undefined ? [] : [setting.flag]));
    assert.equal(new Set(flags).size, flags.length);
    assert.ok((Object.keys(SETTINGS) as SettingKey[]).length > 60);
  });
});
