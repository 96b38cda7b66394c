/**
 * The pipeline's registry, schema and transform settings, assembled from the declarations in
 * src/config/settings.ts; this file adds the checks that span settings.
 */
import { ConfigError } from '../errors.ts';
import type { CompatibilityLevel } from '../serde/compatibility-level.ts';
import type { SubjectNameStrategy } from '../serde/subject-name.ts';
import {
  BASE_SCHEMA_VERSIONS,
  type BaseSchemaVersion,
  LATEST_BASE_SCHEMA_VERSION,
} from '../ses/base-schema.ts';
import {
  type Env,
  type REGISTRY_KINDS,
  readSetting,
  requireSetting,
  SETTINGS,
  settingLabel,
} from './settings.ts';

export type RegistrySettings =
  | {
      kind: 'confluent';
      url: string;
      auth?: { username: string; password: string };
      subjectNameStrategy: SubjectNameStrategy;
    }
  | {
      kind: 'glue';
      registryName: string;
      schemaName?: string;
      endpoint?: string;
      /** AWS_REGION; the SDK's own chain when unset. */
      region?: string;
      compression: 'none' | 'zlib';
      cacheTtlMs: number;
    };

export interface PipelineSettings {
  registry: RegistrySettings;
  autoRegister: boolean;
  compatibility: CompatibilityLevel;
  schemaVersion: BaseSchemaVersion;
  /** Connect-style transform config: a file path, or inline JSON / .properties text. */
  transforms: { file: string } | { inline: string } | undefined;
  /** Kafka must acknowledge this long before the Lambda's own timeout, so the handler can still answer. */
  deadlineMarginMs: number;
  /**
   * Where SES service events from EventBridge (Sending Status Disabled, advisor recommendations) go, as
   * the EventBridge JSON; unset filters them out.
   */
  serviceEventsTopic: string | undefined;
}

/**
 * `https://user:pass@host/...` becomes the URL without credentials plus basic auth, so the URL that
 * error messages and logs name never carries them (and fetch refuses URLs with credentials anyway).
 */
export function splitUrlCredentials(raw: string): {
  url: string;
  auth?: { username: string; password: string };
} {
  const parsed = new URL(raw);
  if (parsed.username === '' && parsed.password === '') return { url: raw };
  const auth = {
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
  parsed.username = '';
  parsed.password = '';
  const url = raw.endsWith('/') ? parsed.href : parsed.href.replace(/\/$/, '');
  return { url, auth };
}

function readRegistry(env: Env): RegistrySettings {
  const kind = readSetting(env, 'registry') as (typeof REGISTRY_KINDS)[number];
  if (kind === 'confluent') {
    const url = requireSetting(
      env,
      'registryUrl',
      `with ${SETTINGS.registry.env}=confluent: the registry API root, e.g. https://registry.example.com or http://127.0.0.1:8081/apis/ccompat/v7`,
    );
    const fromUrl = splitUrlCredentials(url);
    let username = readSetting(env, 'registryUsername');
    let password = readSetting(env, 'registryPassword');
    if (fromUrl.auth !== undefined) {
      if (username !== undefined || password !== undefined) {
        throw new ConfigError(
          SETTINGS.registryUrl.env,
          `holds credentials and ${SETTINGS.registryUsername.env}/${SETTINGS.registryPassword.env} are set too; keep only the variables`,
        );
      }
      ({ username, password } = fromUrl.auth);
    }
    if ((username === undefined) !== (password === undefined)) {
      throw new ConfigError(
        username === undefined ? SETTINGS.registryUsername.env : SETTINGS.registryPassword.env,
        `registry basic auth needs both ${SETTINGS.registryUsername.env} and ${SETTINGS.registryPassword.env}`,
      );
    }
    return {
      kind,
      url: fromUrl.url,
      ...(username === undefined ? {} : { auth: { username, password: password as string } }),
      subjectNameStrategy: readSetting(env, 'subjectNameStrategy') as SubjectNameStrategy,
    };
  }
  const schemaName = readSetting(env, 'glueSchemaName');
  const endpoint = readSetting(env, 'glueEndpoint');
  const region = readSetting(env, 'awsRegion');
  return {
    kind,
    registryName: readSetting(env, 'glueRegistryName') as string,
    ...(schemaName === undefined ? {} : { schemaName }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    compression: readSetting(env, 'glueCompression') as 'none' | 'zlib',
    cacheTtlMs: (readSetting(env, 'glueCacheTtlSeconds') as number) * 1000,
  };
}

/** Reads and checks the pipeline settings; a bad value is a ConfigError naming the variable. */
export function loadPipelineSettings(env: Env = process.env): PipelineSettings {
  const file = readSetting(env, 'transformsFile');
  const inline = readSetting(env, 'transformsInline');
  if (file !== undefined && inline !== undefined) {
    throw new ConfigError(
      SETTINGS.transformsInline.env,
      `set ${SETTINGS.transformsFile.env} or ${SETTINGS.transformsInline.env}, not both`,
    );
  }
  return {
    registry: readRegistry(env),
    autoRegister: readSetting(env, 'autoRegister') as boolean,
    compatibility: readSetting(env, 'compatibility') as CompatibilityLevel,
    schemaVersion: readSchemaVersion(env),
    transforms: file !== undefined ? { file } : inline !== undefined ? { inline } : undefined,
    deadlineMarginMs: readSetting(env, 'deadlineMarginMs') as number,
    serviceEventsTopic: readSetting(env, 'serviceEventsTopic'),
  };
}

export function readSchemaVersion(env: Env): BaseSchemaVersion {
  const version = readSetting(env, 'schemaVersion') ?? LATEST_BASE_SCHEMA_VERSION;
  if (!(BASE_SCHEMA_VERSIONS as readonly string[]).includes(version)) {
    throw new ConfigError(
      settingLabel('schemaVersion'),
      `expected one of ${BASE_SCHEMA_VERSIONS.join(', ')} (the files under schemas/ses-email-event/), got "${version}"`,
    );
  }
  return version as BaseSchemaVersion;
}
