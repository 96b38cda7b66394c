import { ENRICH_ENV_VARS } from '../enrich/config.ts';
import { KAFKA_ENV_ALIASES, KAFKA_ENV_VARS } from '../kafka/config.ts';
import { PIPELINE_ENV_VARS } from './pipeline-settings.ts';

/**
 * Every environment variable a settings loader reads, under its own name. The deploy template must set
 * each one (test/unit/deploy/template.test.ts), so a new setting cannot ship without a deploy parameter.
 * A module that adds settings exports its own `*_ENV_VARS` list and is added here.
 */
export const ALL_ENV_VARS: readonly string[] = [
  ...new Set([...KAFKA_ENV_VARS, ...ENRICH_ENV_VARS, ...PIPELINE_ENV_VARS]),
];

/**
 * Old names still honoured for existing deployments, mapped to the name that replaced them. A template
 * sets the new name, never these.
 */
export const ENV_VAR_ALIASES: Readonly<Record<string, string>> = { ...KAFKA_ENV_ALIASES };
