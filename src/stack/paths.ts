import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSetting } from '../config/settings.ts';

/** The repository root, found from this file's location so the CLI works from any working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Everything the stack downloads or writes lives under one git-ignored folder: `cache/` holds the
 * downloaded servers (kept across runs), `run/` holds pid files, logs and data of the running stack.
 */
export const STACK_HOME = path.resolve(
  readSetting(process.env, 'stackHome') ?? path.join(REPO_ROOT, '.stack'),
);
/** STACK_CACHE_DIR lets a second stack (e.g. a fault test's own broker) reuse the downloads. */
export const CACHE_DIR = path.resolve(
  readSetting(process.env, 'stackCacheDir') ?? path.join(STACK_HOME, 'cache'),
);
export const RUN_DIR = path.join(STACK_HOME, 'run');

export function serviceRunDir(service: string): string {
  return path.join(RUN_DIR, service);
}

export function serviceLogFile(service: string): string {
  return path.join(RUN_DIR, service, `${service}.log`);
}

export function servicePidFile(service: string): string {
  return path.join(RUN_DIR, service, `${service}.pid`);
}
