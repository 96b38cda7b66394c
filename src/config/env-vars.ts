import { allSettings, type SettingGroup } from './settings.ts';

/** The groups of settings the Lambda reads; `serve`, the AWS SDK's own and the local stack's are not. */
const LAMBDA_GROUPS: ReadonlySet<SettingGroup> = new Set([
  'kafka',
  'registry',
  'transforms',
  'enrichment',
  'runtime',
]);

/**
 * Every environment variable the Lambda's settings read, under its own name. The deploy template must set
 * each one (test/unit/deploy/template.test.ts), so a new setting cannot ship without a deploy parameter.
 */
export const ALL_ENV_VARS: readonly string[] = allSettings()
  .filter(([, setting]) => LAMBDA_GROUPS.has(setting.group) && !setting.external && !setting.notDeployed)
  .map(([, setting]) => setting.env);

/**
 * Old names still honoured for existing deployments, mapped to the name that replaced them. A template
 * sets the new name, never these.
 */
export const ENV_VAR_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  allSettings().flatMap(([, setting]) =>
    LAMBDA_GROUPS.has(setting.group) ? (setting.aliases ?? []).map((alias) => [alias, setting.env]) : [],
  ),
);
