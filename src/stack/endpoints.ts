/**
 * Where the local stack listens. Every port can be moved with an env var; docker-compose.yml uses the
 * same defaults and credentials (a test keeps the two in step).
 */
type Env = Readonly<Record<string, string | undefined>>;

function port(env: Env, envName: string, fallback: number): number {
  const raw = env[envName];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${envName}: expected a TCP port between 1 and 65535, got "${raw}"`);
  }
  return value;
}

export const STACK_HOST = '127.0.0.1';

export const SCRAM_USER = 'ses-kafka';
export const SCRAM_PASSWORD = 'ses-kafka-secret';
/** moto accepts any credentials; these are the ones the stack and docker-compose agree on. */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
export const LOCAL_AWS_REGION = 'us-east-1';

export interface StackPorts {
  kafkaPlaintext: number;
  kafkaController: number;
  kafkaScram: number;
  kafkaOauth: number;
  registry: number;
  moto: number;
  dynamodb: number;
}

/** The ports in force: each default unless its STACK_*_PORT variable moves it (pass {} for the defaults). */
export function stackPorts(env: Env = process.env): StackPorts {
  return {
    kafkaPlaintext: port(env, 'STACK_KAFKA_PORT', 9092),
    kafkaController: port(env, 'STACK_KAFKA_CONTROLLER_PORT', 9093),
    kafkaScram: port(env, 'STACK_KAFKA_SCRAM_PORT', 9094),
    kafkaOauth: port(env, 'STACK_KAFKA_OAUTH_PORT', 9095),
    registry: port(env, 'STACK_REGISTRY_PORT', 8081),
    moto: port(env, 'STACK_MOTO_PORT', 5000),
    dynamodb: port(env, 'STACK_DYNAMODB_PORT', 8000),
  };
}

export interface StackEndpoints {
  kafkaBrokers: string;
  kafkaScramBrokers: string;
  kafkaOauthBrokers: string;
  /** Confluent-compatible API root of Apicurio Registry. */
  registryUrl: string;
  /** moto server, used as the AWS Glue endpoint. */
  glueEndpoint: string;
  dynamodbEndpoint: string;
}

export function stackEndpoints(ports: StackPorts = stackPorts()): StackEndpoints {
  return {
    kafkaBrokers: `${STACK_HOST}:${ports.kafkaPlaintext}`,
    kafkaScramBrokers: `${STACK_HOST}:${ports.kafkaScram}`,
    kafkaOauthBrokers: `${STACK_HOST}:${ports.kafkaOauth}`,
    registryUrl: `http://${STACK_HOST}:${ports.registry}/apis/ccompat/v7`,
    glueEndpoint: `http://${STACK_HOST}:${ports.moto}`,
    dynamodbEndpoint: `http://${STACK_HOST}:${ports.dynamodb}`,
  };
}
