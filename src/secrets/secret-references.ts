/**
 * Secrets given by reference: an environment variable whose whole value is an AWS Secrets Manager
 * secret ARN or an SSM parameter ARN (a SecureString) is replaced by the secret's value, fetched once
 * per process at start-up and cached. So the SCRAM password, the registry credentials and the HMAC key
 * need not sit in the Lambda's or the container's environment in plain text; IAM grants
 * `secretsmanager:GetSecretValue` / `ssm:GetParameter` on exactly those ARNs (deploy/template.yaml).
 *
 *   SES_KAFKA_PASSWORD=arn:aws:secretsmanager:eu-west-1:111122223333:secret:kafka-scram-AbCdEf
 *   SES_KAFKA_HMAC_KEY=arn:aws:ssm:eu-west-1:111122223333:parameter/ses-kafka/hmac-key
 *   SES_KAFKA_REGISTRY_PASSWORD=arn:aws:secretsmanager:...:secret:registry-AbCdEf#password  (a JSON key)
 *
 * Rotation: a new value is read when a process starts (a Lambda cold start, a container restart); a
 * running process keeps the value it read. Values, never ARNs, stay out of logs and errors.
 * Endpoints follow the SDK's own settings (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL_SSM).
 */
import { ConfigError, describeError } from '../errors.ts';

type Env = Readonly<Record<string, string | undefined>>;

const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SSM_PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):\d{12}:parameter\/[A-Za-z0-9/_.-]+$/;

export interface SecretReference {
  service: 'secretsmanager' | 'ssm';
  arn: string;
  region: string;
  /** For a Secrets Manager secret holding JSON: the key whose value is wanted (`ARN#key`). */
  jsonKey?: string;
}

export function parseSecretReference(value: string): SecretReference | undefined {
  const trimmed = value.trim();
  const hash = trimmed.indexOf('#');
  const arn = hash === -1 ? trimmed : trimmed.slice(0, hash);
  const jsonKey = hash === -1 ? undefined : trimmed.slice(hash + 1);
  const secret = SECRETS_MANAGER_ARN.exec(arn);
  if (secret?.[1] !== undefined) {
    return { service: 'secretsmanager', arn, region: secret[1], ...(jsonKey ? { jsonKey } : {}) };
  }
  const parameter = SSM_PARAMETER_ARN.exec(arn);
  if (parameter?.[1] !== undefined && jsonKey === undefined) {
    return { service: 'ssm', arn, region: parameter[1] };
  }
  return undefined;
}

/** Fetches one secret's text; the default talks to AWS, tests may pass their own. */
export type SecretFetcher = (reference: SecretReference) => Promise<string>;

export async function fetchSecretFromAws(reference: SecretReference): Promise<string> {
  if (reference.service === 'secretsmanager') {
    // Loaded only when a reference is used, so a deployment without one never loads the client.
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: reference.region });
    try {
      const answer = await client.send(new GetSecretValueCommand({ SecretId: reference.arn }));
      if (answer.SecretString === undefined)
        throw new Error('the secret has no SecretString (binary secrets are not supported)');
      return answer.SecretString;
    } finally {
      client.destroy();
    }
  }
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient({ region: reference.region });
  try {
    const answer = await client.send(new GetParameterCommand({ Name: reference.arn, WithDecryption: true }));
    const value = answer.Parameter?.Value;
    if (value === undefined) throw new Error('the parameter has no value');
    return value;
  } finally {
    client.destroy();
  }
}

/** Resolved values by reference, for the life of the process: resolved once, at init. */
const resolved = new Map<string, Promise<string>>();

function pick(text: string, reference: SecretReference): string {
  if (reference.jsonKey === undefined) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`the secret is not JSON, so it has no key "${reference.jsonKey}"`);
  }
  const value = (parsed as Record<string, unknown> | null)?.[reference.jsonKey];
  if (typeof value !== 'string')
    throw new Error(`the secret's JSON has no string key "${reference.jsonKey}"`);
  return value;
}

/**
 * A copy of `env` with every secret reference replaced by its value. A reference that cannot be
 * resolved is a ConfigError naming the variable, the ARN and what to grant; the value never appears.
 */
export async function resolveSecretReferences(
  env: Env,
  fetchSecret: SecretFetcher = fetchSecretFromAws,
): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = { ...env };
  const pending: Promise<void>[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !value.startsWith('arn:')) continue;
    const reference = parseSecretReference(value);
    if (reference === undefined) continue;
    const key = `${reference.arn}#${reference.jsonKey ?? ''}`;
    let text = resolved.get(key);
    if (text === undefined) {
      text = fetchSecret(reference).then((secret) => pick(secret, reference));
      resolved.set(key, text);
      // A failure is not kept: the next start-up attempt (the next invocation) tries again.
      text.catch(() => resolved.delete(key));
    }
    pending.push(
      text.then(
        (secret) => {
          out[name] = secret;
        },
        (error: unknown) => {
          const action =
            reference.service === 'secretsmanager' ? 'secretsmanager:GetSecretValue' : 'ssm:GetParameter';
          throw new ConfigError(
            name,
            `cannot read ${reference.arn} (${describeError(error)}); check that it exists and that this role may ${action} on it`,
          );
        },
      ),
    );
  }
  await Promise.all(pending);
  return out;
}

/** Forgets resolved values (tests; a process otherwise keeps what it read at start-up). */
export function forgetResolvedSecrets(): void {
  resolved.clear();
}
