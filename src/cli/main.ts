import { Command } from 'commander';
import { readPackageVersion } from '../version.ts';
import { registerBenchCommand } from './bench.ts';
import { registerConsumeCommand } from './consume.ts';
import { registerParseCommand } from './parse.ts';
import { registerRegisterSchemasCommand } from './register-schemas.ts';
import { registerReplayCommand } from './replay.ts';
import { registerReportCommand } from './report.ts';
import { registerServeCommand } from './serve.ts';
import { registerStackCommand } from './stack.ts';
import { registerStartCommand } from './start.ts';
import { registerTransformCommand } from './transform.ts';

// Each subcommand lives in its own file and adds itself to the program here.
const program = new Command()
  .name('ses-kafka')
  .description('SES email events -> DynamoDB enrichment -> Connect-style transforms -> Avro on Kafka')
  .version(readPackageVersion())
  .showHelpAfterError();

registerStackCommand(program);
registerBenchCommand(program);
registerStartCommand(program);
registerParseCommand(program);
registerRegisterSchemasCommand(program);
registerConsumeCommand(program);
registerReplayCommand(program);
registerReportCommand(program);
registerServeCommand(program);
registerTransformCommand(program);

await program.parseAsync(process.argv);
