import { Command } from 'commander';
import { readSetting } from '../config/settings.ts';
import { logger } from '../observability/logger.ts';
import { readPackageVersion } from '../version.ts';
import { registerConsumeCommand } from './consume.ts';
import { EXIT, reportCommandError } from './exit.ts';
import { registerParseCommand } from './parse.ts';
import { registerRegisterSchemasCommand } from './register-schemas.ts';
import { registerReplayCommand } from './replay.ts';
import { registerReportCommand } from './report.ts';
import { registerServeCommand } from './serve.ts';
import { addSettingOptions, commandSettings } from './settings-cli.ts';
import { registerStackCommand } from './stack.ts';
import { registerStartCommand } from './start.ts';
import { registerTopicsCommand } from './topics.ts';
import { registerTransformCommand } from './transform.ts';

// The AWS SDK prints a notice about Node versions in every process that loads it; a person at a terminal
// gets it from every command. Whoever wants it back sets the variable to false.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Each subcommand lives in its own file and adds itself to the program here. Settings inherited by the
// subcommands: a usage error exits 2 (1 means "partly done"), and prints in the one error format.
const program = new Command()
  .name('ses-kafka')
  .description('SES email events -> DynamoDB enrichment -> Connect-style transforms -> Avro on Kafka')
  .version(readPackageVersion())
  .showHelpAfterError()
  .exitOverride((error) => process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.config))
  .configureOutput({
    outputError: (text, write) => write(text.startsWith('error:') ? `ses-kafka: ${text}` : text),
  });

registerStackCommand(program);
registerStartCommand(program);
registerParseCommand(program);
registerTopicsCommand(program);
registerRegisterSchemasCommand(program);
registerConsumeCommand(program);
registerReplayCommand(program);
registerReportCommand(program);
registerServeCommand(program);
registerTransformCommand(program);

// Every command takes --log-format; a person at a terminal reads human lines unless asked for JSON, and
// `serve` (a service whose logs a collector reads) writes JSON unless asked for human lines.
const JSON_LOG_COMMANDS = new Set(['serve']);
function addLogFormatOption(command: Command): void {
  if (command.commands.length > 0) command.commands.forEach(addLogFormatOption);
  else addSettingOptions(command, ['logFormat']);
}
program.commands.forEach(addLogFormatOption);
program.hook('preAction', (_program, action) => {
  const settings = commandSettings({ logFormat: action.opts().logFormat }, ['logFormat']);
  const { env } = settings;
  try {
    const chosen = readSetting(env, 'logFormat') ?? (JSON_LOG_COMMANDS.has(action.name()) ? 'json' : 'human');
    logger.setLogFormat(chosen);
  } catch (error) {
    process.exit(reportCommandError(action.name(), error, settings));
  }
});

await program.parseAsync(process.argv);
