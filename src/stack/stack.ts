import { existsSync, mkdirSync } from 'node:fs';
import { STACK_HOST } from './endpoints.ts';
import { serviceLogFile, servicePidFile, serviceRunDir } from './paths.ts';
import {
  isAlive,
  isPortOpen,
  readPid,
  StackError,
  startDetached,
  stopProcessGroup,
  tail,
  waitUntilHealthy,
} from './processes.ts';
import { apicurioService } from './services/apicurio.ts';
import { dynaliteService } from './services/dynalite.ts';
import { kafkaService } from './services/kafka.ts';
import { motoService } from './services/moto.ts';
import type { StackService } from './services/service.ts';

export const STACK_SERVICES: readonly StackService[] = [
  kafkaService,
  apicurioService,
  motoService,
  dynaliteService,
];

export type ServiceState = 'running' | 'external' | 'starting' | 'stopped';

export interface ServiceStatus {
  name: string;
  description: string;
  state: ServiceState;
  pid?: number;
  endpoints: Record<string, string>;
  /** Only for a service this stack started: one served by something else has no log of ours. */
  logFile?: string;
}

type Log = (line: string) => void;

export function selectServices(names: readonly string[]): StackService[] {
  if (names.length === 0) return [...STACK_SERVICES];
  return names.map((name) => {
    const service = STACK_SERVICES.find((candidate) => candidate.name === name);
    if (!service) {
      const known = STACK_SERVICES.map((candidate) => candidate.name).join(', ');
      throw new StackError(`unknown stack service "${name}": expected one of ${known}`);
    }
    return service;
  });
}

async function healthy(service: StackService): Promise<boolean> {
  return service.healthy().catch(() => false);
}

export async function serviceStatus(service: StackService): Promise<ServiceStatus> {
  const pid = readPid(servicePidFile(service.name));
  const ours = pid !== undefined && isAlive(pid);
  const isHealthy = await healthy(service);
  let state: ServiceState;
  if (ours) state = isHealthy ? 'running' : 'starting';
  else state = isHealthy ? 'external' : 'stopped';
  return {
    name: service.name,
    description: service.description,
    state,
    ...(ours ? { pid } : {}),
    endpoints: service.endpoints(),
    ...(state === 'external' ? {} : { logFile: serviceLogFile(service.name) }),
  };
}

export async function stackStatus(
  services: readonly StackService[] = STACK_SERVICES,
): Promise<ServiceStatus[]> {
  return Promise.all(services.map(serviceStatus));
}

async function startService(service: StackService, log: Log): Promise<void> {
  const logFile = serviceLogFile(service.name);
  const pidFile = servicePidFile(service.name);
  const existingPid = readPid(pidFile);
  if (existingPid !== undefined && isAlive(existingPid)) {
    if (!(await healthy(service))) {
      log(`${service.name}: started earlier (pid ${existingPid}), waiting for it to become healthy`);
      await waitUntilHealthy(service.name, () => service.healthy(), {
        timeoutMs: service.startTimeoutMs,
        pid: existingPid,
        logFile,
      });
    }
    log(`${service.name}: already running (pid ${existingPid})`);
    return;
  }
  if (await healthy(service)) {
    log(`${service.name}: already served on its port by a process the stack did not start; reusing it`);
    return;
  }
  for (const port of service.ports()) {
    if (await isPortOpen(STACK_HOST, port)) {
      throw new StackError(
        `${service.name}: port ${port} is in use by another process that does not answer as ${service.name}; stop it or move the stack with the STACK_*_PORT variables (docs/configuration.md)`,
      );
    }
  }
  mkdirSync(serviceRunDir(service.name), { recursive: true });
  const launch = await service.prepareLaunch();
  const pid = startDetached({ ...launch, logFile, pidFile });
  await waitUntilHealthy(service.name, () => service.healthy(), {
    timeoutMs: service.startTimeoutMs,
    pid,
    logFile,
  });
  log(`${service.name}: started (pid ${pid})`);
}

/**
 * Installs what is missing (Maven downloads one after the other, since they share ~/.m2), then starts
 * every service at once and waits for all health checks. Already-running services are left alone.
 */
export async function stackUp(services: readonly StackService[] = STACK_SERVICES, log: Log = console.log) {
  // A service already answering on its port (ours from earlier, or docker compose) needs no download and
  // no Java, Maven or Python: only the missing ones are installed.
  const missing: StackService[] = [];
  for (const service of services) if (!(await healthy(service))) missing.push(service);
  const javaInstalls = missing.filter((service) => service === kafkaService || service === apicurioService);
  const otherInstalls = missing.filter((service) => !javaInstalls.includes(service));
  await Promise.all([
    (async () => {
      for (const service of javaInstalls) await service.install(log);
    })(),
    ...otherInstalls.map((service) => service.install(log)),
  ]);
  const results = await Promise.allSettled(services.map((service) => startService(service, log)));
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as Error] : [],
  );
  if (failures.length > 0) {
    throw new StackError(failures.map((failure) => failure.message).join('\n\n'));
  }
}

export async function stackDown(services: readonly StackService[] = STACK_SERVICES, log: Log = console.log) {
  await Promise.all(
    services.map(async (service) => {
      const stopped = await stopProcessGroup(servicePidFile(service.name));
      log(`${service.name}: ${stopped ? 'stopped' : 'was not running (nothing the stack started)'}`);
    }),
  );
}

export function serviceLogTail(service: StackService, lines: number): string {
  const file = serviceLogFile(service.name);
  return existsSync(file) ? tail(file, lines) : `(no log yet at ${file})`;
}
