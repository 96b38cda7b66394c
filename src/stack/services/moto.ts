import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSetting } from '../../config/settings.ts';
import { STACK_HOST, stackEndpoints, stackPorts } from '../endpoints.ts';
import { CACHE_DIR, serviceRunDir } from '../paths.ts';
import { requirePython } from '../prerequisites.ts';
import { runInstallStep } from '../processes.ts';
import type { StackService } from './service.ts';

/** moto emulates the Glue Schema Registry API (without compatibility enforcement) and other AWS APIs. */
export const MOTO_VERSION = readSetting(process.env, 'stackMotoVersion') as string;

export const MOTO_VENV = path.join(CACHE_DIR, `moto-${MOTO_VERSION}-venv`);
const venvBin = (name: string) => path.join(MOTO_VENV, 'bin', name);

export const motoService: StackService = {
  name: 'moto',
  description: `moto ${MOTO_VERSION} server (AWS Glue Schema Registry)`,
  startTimeoutMs: 60_000,

  endpoints() {
    return { 'aws-endpoint': stackEndpoints().glueEndpoint };
  },

  ports() {
    return [stackPorts().moto];
  },

  async install(log) {
    const marker = path.join(MOTO_VENV, '.installed');
    if (existsSync(marker)) return;
    const python = requirePython();
    log(`creating a Python venv with moto[server]==${MOTO_VERSION} from PyPI (first run only)`);
    mkdirSync(CACHE_DIR, { recursive: true });
    await runInstallStep(python, ['-m', 'venv', MOTO_VENV]);
    if (!existsSync(venvBin('pip'))) {
      throw new Error(
        `the venv at ${MOTO_VENV} has no pip: install python3-venv (apt-get install python3-venv)`,
      );
    }
    await runInstallStep(venvBin('pip'), [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `moto[server]==${MOTO_VERSION}`,
    ]);
    writeFileSync(marker, new Date().toISOString());
  },

  async prepareLaunch() {
    const runDir = serviceRunDir('moto');
    mkdirSync(runDir, { recursive: true });
    return {
      command: venvBin('moto_server'),
      args: ['-H', STACK_HOST, '-p', String(stackPorts().moto)],
      cwd: runDir,
    };
  },

  async healthy() {
    const response = await fetch(`${stackEndpoints().glueEndpoint}/moto-api/`, {
      signal: AbortSignal.timeout(1500),
    });
    return response.status < 500;
  },
};
