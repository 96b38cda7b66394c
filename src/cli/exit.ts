/**
 * One table of exit codes and one error format for every `ses-kafka` command.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | done: everything written (or dead-lettered on purpose), registered or unchanged |
 * | 1 | partly done: some inputs not written, some records invalid, or a schema incompatible |
 * | 2 | usage or configuration: a bad flag, setting or file; nothing was attempted |
 * | 3 | a service failed: broker, registry or DynamoDB unreachable, refused the credentials or the request |
 * | 4 | internal error: a bug; the message says what happened |
 */

import { ConfigError, describeError, PipelineError } from '../errors.ts';
import { redactEmail } from '../observability/logger.ts';
import { type CommandSettings, commandConfigError } from './settings-cli.ts';

export const EXIT = { ok: 0, partial: 1, config: 2, unavailable: 3, internal: 4 } as const;

/** Every error line: `ses-kafka <command>: error: <what happened and what to do>`. */
export function errorLine(command: string, message: string): string {
  return `ses-kafka ${command}: error: ${message}`;
}

export function warningLine(command: string, message: string): string {
  return `ses-kafka ${command}: warning: ${message}`;
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) return EXIT.config;
  if (error instanceof PipelineError) return error.stage === 'config' ? EXIT.config : EXIT.unavailable;
  return EXIT.internal;
}

/**
 * Prints the error the way every command does and returns its exit code. A configuration error names
 * the flag when the value came from one. Input text never reaches the line unredacted.
 */
export function reportCommandError(
  command: string,
  error: unknown,
  settings?: CommandSettings,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): number {
  const code = exitCodeFor(error);
  let message =
    error instanceof ConfigError
      ? (settings === undefined ? error : commandConfigError(error, settings)).message
      : error instanceof PipelineError
        ? `${error.code}: ${error.message}`
        : describeError(error);
  if (code === EXIT.internal) message = `unexpected failure (please report it): ${message}`;
  write(errorLine(command, redactEmail(message)));
  return code;
}
