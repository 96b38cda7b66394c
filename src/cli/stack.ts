import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { serviceLogFile } from '../stack/paths.ts';
import { StackError } from '../stack/processes.ts';
import { selectServices, serviceLogTail, stackDown, stackStatus, stackUp } from '../stack/stack.ts';
import { EXIT, errorLine, reportCommandError } from './exit.ts';

const SERVICE_NAMES = 'kafka, registry, moto, dynamodb';

async function printStatus(names: string[], json: boolean): Promise<boolean> {
  const statuses = await stackStatus(selectServices(names));
  if (json) {
    console.log(JSON.stringify({ services: statuses }, null, 2));
  } else {
    for (const status of statuses) {
      const endpoints = Object.entries(status.endpoints)
        .map(([label, value]) => `${label}=${value}`)
        .join('  ');
      const pid = status.pid === undefined ? '' : ` pid ${status.pid}`;
      console.log(`${status.name.padEnd(9)} ${status.state.padEnd(8)}${pid.padEnd(11)} ${endpoints}`);
    }
  }
  return statuses.every((status) => status.state === 'running' || status.state === 'external');
}

/** Runs a stack subcommand; a StackError (missing prerequisite, unknown service) is one line, exit 2. */
async function guarded(command: string, run: () => Promise<number | undefined>): Promise<void> {
  try {
    process.exitCode = (await run()) ?? EXIT.ok;
  } catch (error) {
    if (error instanceof StackError) {
      process.stderr.write(`${errorLine(command, error.message)}\n`);
      process.exitCode = EXIT.config;
      return;
    }
    process.exitCode = reportCommandError(command, error);
  }
}

export function registerStackCommand(program: Command): void {
  const stack = program
    .command('stack')
    .description(`run the local stack of real servers on loopback (${SERVICE_NAMES})`);

  stack
    .command('up')
    .description('download what is missing, start the services and wait until each is healthy (idempotent)')
    .argument('[services...]', `a subset of: ${SERVICE_NAMES}`)
    .action((names: string[]) =>
      guarded('stack up', async () => {
        const started = Date.now();
        await stackUp(selectServices(names));
        await printStatus(names, false);
        console.log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
        return EXIT.ok;
      }),
    );

  stack
    .command('down')
    .description('stop the services this stack started (by pid file); leaves anything else alone')
    .argument('[services...]', `a subset of: ${SERVICE_NAMES}`)
    .action((names: string[]) =>
      guarded('stack down', async () => {
        await stackDown(selectServices(names));
        return EXIT.ok;
      }),
    );

  stack
    .command('status')
    .description('show each service, its state and endpoints; exits 1 when any is not up')
    .argument('[services...]', `a subset of: ${SERVICE_NAMES}`)
    .option('--json', 'print machine-readable JSON')
    .action((names: string[], options: { json?: boolean }) =>
      guarded('stack status', async () =>
        (await printStatus(names, options.json === true)) ? EXIT.ok : EXIT.partial,
      ),
    );

  stack
    .command('logs')
    .description("show the end of each service's log file")
    .argument('[services...]', `a subset of: ${SERVICE_NAMES}`)
    .option('-n, --lines <count>', 'how many lines per service', '40')
    .option('-f, --follow', 'keep printing new lines (Ctrl-C to stop)')
    .action((names: string[], options: { lines: string; follow?: boolean }) =>
      guarded('stack logs', async () => {
        const services = selectServices(names);
        const lines = Number(options.lines);
        if (options.follow) {
          const files = services.map((service) => serviceLogFile(service.name));
          spawn('tail', ['-n', String(lines), '-F', ...files], { stdio: 'inherit' });
          return EXIT.ok;
        }
        for (const service of services) {
          console.log(`==> ${service.name} (${serviceLogFile(service.name)}) <==`);
          console.log(serviceLogTail(service, lines));
        }
        return EXIT.ok;
      }),
    );
}
