import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readSetting } from '../../config/settings.ts';
import { STACK_HOST, stackEndpoints, stackPorts } from '../endpoints.ts';
import { CACHE_DIR, serviceRunDir } from '../paths.ts';
import { requireJava, requireMaven } from '../prerequisites.ts';
import { runInstallStep } from '../processes.ts';
import type { StackService } from './service.ts';

/**
 * 3.0.9 ships as a single Quarkus runner jar with its lib/ folder, starts in a few seconds with
 * in-memory H2 storage and serves the Confluent-compatible API at /apis/ccompat/v7.
 */
export const APICURIO_VERSION = readSetting(process.env, 'stackApicurioVersion') as string;

const installDir = () => path.join(CACHE_DIR, `apicurio-registry-${APICURIO_VERSION}`);

function runnerJar(dir: string): string | undefined {
  const jar = readdirSync(dir).find((name) => name.endsWith('-runner.jar'));
  return jar === undefined ? undefined : path.join(dir, jar);
}

export const apicurioService: StackService = {
  name: 'registry',
  description: `Apicurio Registry ${APICURIO_VERSION} (Confluent-compatible API, in-memory)`,
  startTimeoutMs: 120_000,

  endpoints() {
    return { 'ccompat-v7': stackEndpoints().registryUrl };
  },

  ports() {
    return [stackPorts().registry];
  },

  async install(log) {
    const dir = installDir();
    const marker = path.join(dir, '.installed');
    if (existsSync(marker)) return;
    requireJava();
    requireMaven();
    log(`downloading Apicurio Registry ${APICURIO_VERSION} from Maven Central (first run only, ~110 MB)`);
    mkdirSync(dir, { recursive: true });
    await runInstallStep('mvn', [
      '-q',
      '-B',
      'dependency:copy',
      `-Dartifact=io.apicurio:apicurio-registry-app:${APICURIO_VERSION}:tar.gz:all`,
      `-DoutputDirectory=${dir}`,
    ]);
    const archive = readdirSync(dir).find((name) => name.endsWith('.tar.gz'));
    if (archive === undefined) throw new Error(`Apicurio archive missing in ${dir} after download`);
    await runInstallStep('tar', ['xzf', archive], { cwd: dir });
    if (runnerJar(dir) === undefined) throw new Error(`no *-runner.jar in ${dir}: unexpected archive layout`);
    writeFileSync(marker, new Date().toISOString());
  },

  async prepareLaunch() {
    requireJava();
    const jar = runnerJar(installDir());
    if (jar === undefined) throw new Error('Apicurio Registry is not installed: run `ses-kafka stack up`');
    const runDir = serviceRunDir('registry');
    mkdirSync(runDir, { recursive: true });
    return {
      command: 'java',
      args: [
        '-Xms128m',
        `-Xmx${readSetting(process.env, 'stackRegistryHeap')}`,
        `-Dquarkus.http.port=${stackPorts().registry}`,
        `-Dquarkus.http.host=${STACK_HOST}`,
        '-Dapicurio.rest.deletion.artifact.enabled=true',
        '-Dapicurio.rest.deletion.artifact-version.enabled=true',
        '-Dapicurio.rest.deletion.group.enabled=true',
        '-jar',
        jar,
      ],
      cwd: runDir,
    };
  },

  async healthy() {
    const response = await fetch(`${stackEndpoints().registryUrl}/subjects`, {
      signal: AbortSignal.timeout(1500),
    });
    return response.ok;
  },
};
