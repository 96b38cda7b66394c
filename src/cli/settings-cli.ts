/**
 * The CLI edge of the settings module: every command takes its settings' flags from the declarations
 * in src/config/settings.ts, and turns the flags it was given, plus `--local`, into the environment
 * variables the loaders read. So a flag and its variable are one setting with one default, on every
 * command that uses it, and the Lambda (which reads the environment only) agrees with the CLI.
 */
import { type Command, Option } from 'commander';
import {
  type Env,
  rawSetting,
  SETTINGS,
  type SettingKey,
  type SettingSpec,
  settingForVariable,
} from '../config/settings.ts';
import { ConfigError } from '../errors.ts';
import { localSettingsEnv } from '../stack/local-settings.ts';

/** The flags of the Kafka settings every producing command takes. */
export const KAFKA_FLAG_SETTINGS = [
  'brokers',
  'topic',
  'dlqTopic',
  'kafkaAuth',
] as const satisfies readonly SettingKey[];

/** The flags that choose and reach the schema registry, on every command that talks to one. */
export const REGISTRY_FLAG_SETTINGS = [
  'registry',
  'registryUrl',
  'subjectNameStrategy',
  'glueRegistryName',
  'glueSchemaName',
  'glueEndpoint',
  'awsRegion',
] as const satisfies readonly SettingKey[];

/** commander's name for a flag's value: `dlq-topic` is read as `dlqTopic`. */
function optionProperty(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function describe(setting: SettingSpec<unknown>): string {
  const fallback = setting.defaultText === '' ? '' : `; default ${setting.defaultText.replace(/`/g, '')}`;
  return `${setting.doc.replace(/`/g, '')} (env ${setting.env}${fallback})`;
}

export interface SettingOptionOverrides {
  /** A description that fits this command better than the setting's own doc. */
  description?: string;
  /** Let the flag be given several times (its values are joined with commas). */
  repeatable?: boolean;
}

/**
 * Adds the flags of `keys` to `command`, each named, described and documented as its setting declares.
 * Defaults are not given to commander: a flag left out must not hide the environment variable.
 */
export function addSettingOptions(
  command: Command,
  keys: readonly SettingKey[],
  overrides: Partial<Record<SettingKey, SettingOptionOverrides>> = {},
): Command {
  for (const key of keys) {
    const setting = SETTINGS[key] as SettingSpec<unknown>;
    if (setting.flag === undefined) throw new Error(`setting ${key} has no flag`);
    if (setting.secret)
      throw new Error(`setting ${key} is secret and must not be a flag (it would show in ps)`);
    const override = overrides[key] ?? {};
    const option = new Option(
      `--${setting.flag} ${setting.placeholder ?? '<value>'}`,
      override.description ?? describe(setting),
    );
    if (override.repeatable) {
      option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    }
    command.addOption(option);
  }
  return command;
}

export function addLocalOption(command: Command): Command {
  return command.option(
    '--local',
    'point every unset setting at the local stack started by `ses-kafka stack up` (brokers, registry, moto, dynalite, topic ses-events, test credentials)',
  );
}

export interface CommandSettings {
  /** The variables the loaders read: the process environment, the flags given, and `--local`'s defaults. */
  env: Record<string, string | undefined>;
  /** Settings whose value came from a flag on this command line. */
  fromFlags: ReadonlySet<SettingKey>;
  /** The settings this command takes as flags. */
  keys: readonly SettingKey[];
}

/**
 * Turns the flags a command was given into the environment its loaders read. A flag wins over its
 * variable; `--local` fills what is still unset. The AWS SDK reads credentials from the real process
 * environment, so under `--local` the stack's test credentials go there too (values already set win).
 */
export function commandSettings(
  options: Record<string, unknown>,
  keys: readonly SettingKey[],
  baseEnv: Env = process.env,
): CommandSettings {
  const env: Record<string, string | undefined> = { ...baseEnv };
  const fromFlags = new Set<SettingKey>();
  for (const key of keys) {
    const setting = SETTINGS[key] as SettingSpec<unknown>;
    if (setting.flag === undefined) continue;
    const value = options[optionProperty(setting.flag)];
    if (value === undefined) continue;
    env[setting.env] = Array.isArray(value) ? value.join(',') : String(value);
    for (const alias of setting.aliases ?? []) delete env[alias];
    fromFlags.add(key);
  }
  if (options.local === true) {
    const local = localSettingsEnv(env);
    Object.assign(env, local);
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const) {
      if (process.env[name] === undefined && local[name] !== undefined) process.env[name] = local[name];
    }
  }
  return { env, fromFlags, keys };
}

/**
 * A configuration error as this command's user should read it: keyed by the flag when the value came
 * from a flag, or when the setting is missing and the command takes it as a flag (the message names the
 * variable too); keyed by the variable when the value came from the environment.
 */
export function commandConfigError(error: ConfigError, settings: CommandSettings): ConfigError {
  const key = settingForVariable(error.key);
  if (key === undefined || !settings.keys.includes(key)) return error;
  const flag = (SETTINGS[key] as SettingSpec<unknown>).flag;
  if (flag === undefined) return error;
  if (!settings.fromFlags.has(key) && rawSetting(settings.env, key) !== undefined) return error;
  return new ConfigError(`--${flag}`, error.message.slice(error.key.length + 2));
}
