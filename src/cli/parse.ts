/**
 * `ses-kafka parse [FILE...]`: SES events in any envelope in, one canonical SesEvent per line (JSON) out.
 * Each invalid record's error goes to stderr and processing continues, so one bad record in a replay file
 * does not hide the rest. An SES service event from EventBridge (not about an email) yields no event and
 * a note on stderr, and is not an error. Exit code: 0 all parsed, 1 some record invalid or some input
 * unreadable.
 */
import type { Command } from 'commander';
import { describeError } from '../errors.ts';
import { redactEmail } from '../observability/logger.ts';
import { type InputSource, inputSources } from '../replay/read-inputs.ts';
import { parseAnyInput, SERVICE_EVENT_CODE } from '../ses/parse.ts';
import { EXIT } from './exit.ts';

export interface ParseIo {
  writeOut(line: string): void;
  writeErr(line: string): void;
  readStdin(): Promise<string>;
}

/** Exit codes from the one table (src/cli/exit.ts): an invalid record or an unreadable file is partial. */
export const EXIT_INVALID_RECORD = EXIT.partial;
export const EXIT_UNREADABLE_INPUT = EXIT.partial;

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const processIo: ParseIo = {
  writeOut: (line) => process.stdout.write(`${line}\n`),
  writeErr: (line) => process.stderr.write(`${line}\n`),
  readStdin: readAllStdin,
};

/** The event as one JSON line, or undefined when it nests deeper than JSON.stringify can recurse. */
function printable(event: unknown): string | undefined {
  try {
    return JSON.stringify(event);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * Parses each input (`-` or no files = stdin; folders are read recursively, as `replay` reads them) and
 * returns the exit code.
 */
export async function runParse(files: readonly string[], io: ParseIo = processIo): Promise<number> {
  let exitCode = 0;
  const { sources, skipped } = inputSources(files);
  for (const file of skipped) io.writeErr(`${file.path}: skipped: ${file.reason}`);
  const inputs: InputSource[] = sources.map((source) =>
    source.label === 'stdin' ? { label: 'stdin', text: io.readStdin } : source,
  );
  for (const source of inputs) {
    const name = source.label;
    let text: string;
    try {
      text = await source.text();
    } catch (error) {
      io.writeErr(`${name}: cannot read input (${describeError(error)})`);
      exitCode = Math.max(exitCode, EXIT_UNREADABLE_INPUT);
      continue;
    }
    for (const outcome of parseAnyInput(text)) {
      const where = outcome.location === undefined ? name : `${name} ${outcome.location}`;
      if (outcome.ok) {
        const line = printable(outcome.event);
        if (line !== undefined) {
          io.writeOut(line);
          continue;
        }
        // Hostile input (unknown fields nested thousands deep) fails on its own; the rest still print.
        io.writeErr(
          `${where}: SES_TOO_DEEP: the event nests too deeply to print as JSON (unknown fields nested thousands of levels); drop the field or fix the producer`,
        );
      } else if (outcome.error.code === SERVICE_EVENT_CODE) {
        io.writeErr(`${where}: note: ${redactEmail(outcome.error.message)}`);
        continue;
      } else {
        io.writeErr(`${where}: ${outcome.error.code}: ${redactEmail(outcome.error.message)}`);
      }
      exitCode = Math.max(exitCode, EXIT_INVALID_RECORD);
    }
  }
  return exitCode;
}

export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description(
      'parse SES events (Lambda SNS/SQS event, SNS notification, EventBridge event, bare SES JSON, arrays or NDJSON) and print one canonical event per line',
    )
    .argument('[files...]', 'input files; stdin when none or "-"')
    .action(async (files: string[]) => {
      process.exitCode = await runParse(files);
    });
}
