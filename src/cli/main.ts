import { Command } from 'commander';
import { readSetting } from '../config/settings.ts';
import { logger } from '../observability/logger.ts';
import { readPackageVersion } from '../version.ts';
import { EXIT, reportCommandError } from './exit.ts';
import { addSettingOptions, commandSettings } from './settings-cli.ts';

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

// Each command's module, loaded only when needed: a command's imports (DuckDB and PostgreSQL for
// consume, the AWS SDK clients, kafkajs...) cost start-up time and tens of MiB of memory, and a long
// `replay` or `serve` should not carry the others'. Listed in the order `--help` shows them.
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<(program: Command) => void>]> = [
  ['stack', async () => (await import('./stack.ts')).registerStackCommand],
  ['start', async () => (await import('./start.ts')).registerStartCommand],
  ['parse', async () => (await import('./parse.ts')).registerParseCommand],
  ['topics', async () => (await import('./topics.ts')).registerTopicsCommand],
  ['register-schemas', async () => (await import('./register-schemas.ts')).registerRegisterSchemasCommand],
  ['consume', async () => (await import('./consume.ts')).registerConsumeCommand],
  ['replay', async () => (await import('./replay.ts')).registerReplayCommand],
  ['report', async () => (await import('./report.ts')).registerReportCommand],
  ['serve', async () => (await import('./serve.ts')).registerServeCommand],
  ['transform', async () => (await import('./transform.ts')).registerTransformCommand],
];
// The program takes no options of its own before the command, so the first argument names it; anything
// else (no command, --help, --version, a misspelt name) gets every command, for help and suggestions.
const named = COMMANDS.find(([name]) => name === process.argv[2]);
for (const [, load] of named === undefined ? COMMANDS : [named]) (await load())(program);

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
