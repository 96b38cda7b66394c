/**
 * Same as `ses-kafka register-schemas` (same flags, same exit codes), for pipelines that call scripts:
 *   npx tsx scripts/register-schemas.ts --schema schemas/ses-email-event/v1.avsc --target glue --local ...
 */
import { Command } from 'commander';
import { registerRegisterSchemasCommand } from '../src/cli/register-schemas.ts';

const program = new Command().name('register-schemas').showHelpAfterError();
registerRegisterSchemasCommand(program);
await program.parseAsync(['register-schemas', ...process.argv.slice(2)], { from: 'user' });
