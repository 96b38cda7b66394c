import { LOCAL_AWS_REGION, stackEndpoints } from '../stack/endpoints.ts';

/** Topic, DLQ and table names the local stack's main job uses. */
export const LOCAL_TOPIC = 'ses-events';
export const LOCAL_DLQ_TOPIC = 'ses-events-dlq';
export const LOCAL_METADATA_TABLE = 'ses_my_poc';

/**
 * Settings that point every part of the pipeline at the local stack. Used by `npm start`, `--local` on
 * the CLI and the bench; variables already set in the environment win.
 */
export function localStackEnv(registry: 'confluent' | 'glue' = 'confluent'): Record<string, string> {
  const endpoints = stackEndpoints();
  return {
    SES_KAFKA_BROKERS: endpoints.kafkaBrokers,
    SES_KAFKA_TOPIC: LOCAL_TOPIC,
    SES_KAFKA_DLQ_TOPIC: LOCAL_DLQ_TOPIC,
    SES_KAFKA_AUTH: 'none',
    SES_KAFKA_REGISTRY: registry,
    SES_KAFKA_REGISTRY_URL: endpoints.registryUrl,
    SES_KAFKA_GLUE_ENDPOINT: endpoints.glueEndpoint,
    SES_KAFKA_GLUE_REGISTRY_NAME: 'ses-kafka-local',
    SES_KAFKA_METADATA_TABLE: LOCAL_METADATA_TABLE,
    DYNAMODB_ENDPOINT: endpoints.dynamodbEndpoint,
    AWS_REGION: LOCAL_AWS_REGION,
  };
}

export function withLocalDefaults(
  env: Readonly<Record<string, string | undefined>>,
  registry?: 'confluent' | 'glue',
): Record<string, string | undefined> {
  return { ...localStackEnv(registry), ...env };
}
