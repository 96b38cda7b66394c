/**
 * Reads a Connect-style transform config from a .properties file or JSON into one flat string map.
 * JSON may be flat (`{"transforms.a.type": "..."}`) or nested (`{"transforms": {"a": {"type": ...}}}`);
 * arrays become comma-separated lists, as Connect's REST API accepts.
 */
import { readFileSync } from 'node:fs';
import { getProperties } from 'properties-file';
import { ConfigError } from '../errors.ts';

export type FlatConfig = Record<string, string>;

export function parsePropertiesConfig(text: string): FlatConfig {
  return { ...getProperties(text) };
}

export function parseJsonConfig(text: string, source = 'config'): FlatConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(source, `not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(source, 'expected a JSON object of config keys');
  }
  // Connect's REST API wraps connector configs as {"name": ..., "config": {...}}.
  const root = parsed as Record<string, unknown>;
  const body =
    root.config && typeof root.config === 'object' && !Array.isArray(root.config) ? root.config : root;
  const out: FlatConfig = {};
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const fullKey = prefix ? `${prefix}.${key}` : key;
      if (value === null) continue;
      if (Array.isArray(value)) out[fullKey] = value.map(String).join(',');
      else if (typeof value === 'object') walk(value as Record<string, unknown>, fullKey);
      else out[fullKey] = String(value);
    }
  };
  walk(body as Record<string, unknown>, '');
  return out;
}

/** Picks the format from the file name: `.json` is JSON, anything else is .properties. */
export function loadConfigFile(path: string): FlatConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('--config', `cannot read ${path}: ${(error as Error).message}`);
  }
  return path.toLowerCase().endsWith('.json') ? parseJsonConfig(text, path) : parsePropertiesConfig(text);
}
