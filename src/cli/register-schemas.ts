/**
 * `ses-kafka register-schemas`: registers the output schema of the configured transform chain in AWS Glue
 * Schema Registry or a Confluent-compatible registry, after checking compatibility against the existing
 * versions itself. It reads the same settings as the pipeline (registry, topic, schema version,
 * transforms), so what it registers is exactly what the Lambda looks up, and it needs no runtime secret.
 * Exit codes (src/cli/exit.ts): 0 registered or unchanged, 1 incompatible (nothing written),
 * 2 configuration, 3 registry unreachable or refusing.
 */
import { type Command, Option } from 'commander';
import type { SettingKey } from '../config/settings.ts';
import { describeError, PipelineError } from '../errors.ts';
import { registrationFromSettings } from '../registration/from-settings.ts';
import {
  EXIT_INCOMPATIBLE,
  type RegistrationResult,
  registerSchemas,
} from '../registration/register-schemas.ts';
import { EXIT, exitCodeFor, reportCommandError } from './exit.ts';
import {
  addLocalOption,
  addSettingOptions,
  commandSettings,
  REGISTRY_FLAG_SETTINGS,
} from './settings-cli.ts';

/** The settings this command reads; their flags, variables and defaults are the pipeline's own. */
export const REGISTER_SETTINGS = [
  ...REGISTRY_FLAG_SETTINGS,
  'topic',
  'compatibility',
  'schemaVersion',
  'transformsFile',
] as const satisfies readonly SettingKey[];

export interface RegisterSchemasCliOptions {
  /** A base schema file instead of the configured schema version (to check a candidate in CI). */
  schema?: string;
  dryRun?: boolean;
  json?: boolean;
  local?: boolean;
  /** Flags of REGISTER_SETTINGS, by commander property name (registry, registryUrl, topic …). */
  [flag: string]: unknown;
}

export interface RegisterSchemasIo {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

const processIo: RegisterSchemasIo = {
  writeOut: (text) => process.stdout.write(`${text}\n`),
  writeErr: (text) => process.stderr.write(`${text}\n`),
};

export function formatResult(result: RegistrationResult): string {
  const lines: string[] = [];
  const versions = result.existingVersions.length > 0 ? result.existingVersions.join(', ') : 'none';
  lines.push(`${result.location}: existing versions ${versions}; compatibility ${result.compatibility}`);
  switch (result.status) {
    case 'unchanged':
      lines.push(`unchanged: already registered as version ${result.version} (id ${result.id})`);
      break;
    case 'incompatible':
      lines.push(`INCOMPATIBLE under ${result.compatibility}; nothing was registered:`);
      for (const violation of result.violations) lines.push(`  - ${violation.message}`);
      if (result.violations.length === 0 && result.registryCheck?.compatible === false) {
        lines.push(
          '  - the registry refuses it under the level it holds, although our own check found no problem:',
        );
        for (const message of result.registryCheck.messages) lines.push(`    ${message}`);
      }
      break;
    case 'would-change':
      lines.push('dry run; would:');
      for (const action of result.actions) lines.push(`  - ${action}`);
      break;
    case 'registered':
      for (const action of result.actions) lines.push(`done: ${action}`);
      if (result.version !== undefined || result.id !== undefined) {
        lines.push(`registered as version ${result.version ?? '?'} (id ${result.id ?? '?'})`);
      }
      break;
  }
  const check = result.registryCheck;
  if (check && !check.agrees && check.compatible) {
    lines.push(
      'note: the registry accepts this schema, but our stricter check does not (please report it with both schemas)',
    );
  }
  return lines.join('\n');
}

/** Runs the command and returns its exit code; errors are printed, not thrown. */
export async function runRegisterSchemas(
  cli: RegisterSchemasCliOptions,
  io: RegisterSchemasIo = processIo,
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
): Promise<number> {
  const settings = commandSettings(cli, REGISTER_SETTINGS, baseEnv);
  const { env } = settings;
  try {
    const result = await registerSchemas(await registrationFromSettings(env, cli));
    io.writeOut(cli.json ? JSON.stringify(result) : formatResult(result));
    return result.status === 'incompatible' ? EXIT_INCOMPATIBLE : EXIT.ok;
  } catch (error) {
    if (cli.json) {
      const code = error instanceof PipelineError ? error.code : 'UNEXPECTED';
      io.writeErr(JSON.stringify({ status: 'error', code, message: describeError(error) }));
      return exitCodeFor(error);
    }
    return reportCommandError('register-schemas', error, settings, io.writeErr);
  }
}

export function registerRegisterSchemasCommand(program: Command): void {
  const command = program
    .command('register-schemas')
    .description(
      'check the output schema of the transform chain against the registered versions, then register it (Glue or Confluent-compatible); needs no runtime secret',
    );
  addSettingOptions(command, REGISTER_SETTINGS, {
    topic: {
      description:
        'the events topic: it names the subject (<topic>-value) or the Glue schema (env SES_KAFKA_TOPIC)',
    },
  });
  addLocalOption(command)
    .option(
      '--schema <file>',
      'check and register this base schema file instead of the configured schema version',
    )
    .option('--dry-run', 'show what would change, write nothing')
    .option('--json', 'print one JSON result (for CI)')
    // The flag's old name, from before every command called the registry kind --registry.
    .addOption(new Option('--target <kind>').choices(['glue', 'confluent']).hideHelp())
    .action(async (options: RegisterSchemasCliOptions) => {
      if (options.target !== undefined) options.registry ??= options.target;
      process.exitCode = await runRegisterSchemas(options);
    });
}
