import type { Command } from 'commander';
import { stackStatus, stackUp } from '../stack/stack.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the main job end to end on the local stack')
    .action(async () => {
      await stackUp();
      for (const status of await stackStatus()) {
        console.log(
          `${status.name.padEnd(9)} ${status.state.padEnd(8)} ${Object.values(status.endpoints).join('  ')}`,
        );
      }
    });
}
