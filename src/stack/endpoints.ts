/**
 * Where the local stack listens. Every port can be moved with an env var; docker-compose.yml uses the
 * same defaults and credentials (a test keeps the two in step).
 */
import { type Env, readSetting } from '../config/settings.ts';

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
    kafkaPlaintext: readSetting(env, 'stackKafkaPort') as number,
    kafkaController: readSetting(env, 'stackKafkaControllerPort') as number,
    kafkaScram: readSetting(env, 'stackKafkaScramPort') as number,
    kafkaOauth: readSetting(env, 'stackKafkaOauthPort') as number,
    registry: readSetting(env, 'stackRegistryPort') as number,
    moto: readSetting(env, 'stackMotoPort') as number,
    dynamodb: readSetting(env, 'stackDynamodbPort') as number,
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
  /** The same moto server, as the S3 endpoint (path-style addressing). */
  s3Endpoint: string;
  dynamodbEndpoint: string;
}

export function stackEndpoints(ports: StackPorts = stackPorts()): StackEndpoints {
  return {
    kafkaBrokers: `${STACK_HOST}:${ports.kafkaPlaintext}`,
    kafkaScramBrokers: `${STACK_HOST}:${ports.kafkaScram}`,
    kafkaOauthBrokers: `${STACK_HOST}:${ports.kafkaOauth}`,
    registryUrl: `http://${STACK_HOST}:${ports.registry}/apis/ccompat/v7`,
    glueEndpoint: `http://${STACK_HOST}:${ports.moto}`,
    s3Endpoint: `http://${STACK_HOST}:${ports.moto}`,
    dynamodbEndpoint: `http://${STACK_HOST}:${ports.dynamodb}`,
  };
}
