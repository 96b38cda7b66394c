import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PipelineInput } from '../pipeline.ts';
import { parseAnyInput } from '../ses/index.ts';

/** Files a directory contributes: SNS/SQS/SES JSON, NDJSON, and Firehose's extension-less objects. */
const INPUT_EXTENSIONS = new Set(['.json', '.ndjson', '.jsonl', '']);

export interface SkippedFile {
  path: string;
  reason: string;
}

function skipReason(name: string): string {
  const extension = path.extname(name).toLowerCase();
  if (extension === '.gz') return 'gzip-compressed input is not read yet; gunzip it first';
  return `"${extension}" is not an input extension (.json, .ndjson, .jsonl or none)`;
}

/** A file named on the command line is always read; in folders, other extensions are skipped (and said). */
function filesUnder(target: string, skipped: SkippedFile[]): string[] {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (stat === undefined || stat.isFile()) return [target];
  return readdirSync(target, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(target, entry.name);
      if (entry.name.startsWith('.')) return [];
      if (entry.isDirectory()) return filesUnder(full, skipped);
      if (INPUT_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) return [full];
      skipped.push({ path: full, reason: skipReason(entry.name) });
      return [];
    });
}

export interface InputSource {
  label: string;
  text: () => Promise<string>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Expands FILE, DIR (recursively) and `-` (stdin) into readable sources, in a stable order, and lists
 * the files in folders that were skipped. A missing file is a source that fails to read, so it is
 * reported with the others instead of stopping the run.
 */
export function inputSources(targets: readonly string[]): { sources: InputSource[]; skipped: SkippedFile[] } {
  const list = targets.length === 0 ? ['-'] : targets;
  const skipped: SkippedFile[] = [];
  const sources = list.flatMap((target) =>
    target === '-'
      ? [{ label: 'stdin', text: readStdin }]
      : filesUnder(target, skipped).map((file) => ({
          label: file,
          text: async () => readFileSync(file, 'utf8'),
        })),
  );
  return { sources, skipped };
}

/** Parses one source into pipeline inputs; ids are `<file> <location>` so failures can be found again. */
export function toPipelineInputs(label: string, text: string): PipelineInput[] {
  return parseAnyInput(text).map((parsed, index) => ({
    id: `${label} ${parsed.location ?? `#${index + 1}`}`,
    parsed,
  }));
}
