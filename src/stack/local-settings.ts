import { type Env, rawSetting, SETTINGS, type SettingKey, type SettingSpec } from '../config/settings.ts';
import { stackEndpoints } from './endpoints.ts';

/**
 * The environment every unset setting gets under `--local`, from each setting's local default:
 * the stack's endpoints, topic `ses-events` (its DLQ then defaults to `ses-events.dlq`, as anywhere),
 * the stack's Glue registry and AWS test credentials. Values already set win.
 */
export function localSettingsEnv(env: Env): Record<string, string> {
  const stack = stackEndpoints();
  const local: Record<string, string> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as Array<[SettingKey, SettingSpec<unknown>]>) {
    if (setting.local !== undefined && rawSetting(env, key) === undefined)
      local[setting.env] = setting.local(stack);
  }
  return local;
}
