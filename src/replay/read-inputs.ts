import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PipelineInput } from '../pipeline.ts';
import { parseAnyInput } from '../ses/index.ts';

/** Files a directory contributes: SNS/SQS/SES JSON, NDJSON, and Firehose's extension-less objects. */
const INPUT_EXTENSIONS = new Set(['.json', '.ndjson', '.jsonl', '']);

function filesUnder(target: string): string[] {
  const stat = statSync(target);
  if (stat.isFile()) return [target];
  return readdirSync(target, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(target, entry.name);
      if (entry.name.startsWith('.')) return [];
      if (entry.isDirectory()) return filesUnder(full);
      return INPUT_EXTENSIONS.has(path.extname(entry.name).toLowerCase()) ? [full] : [];
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

/** Expands FILE, DIR (recursively) and `-` (stdin) into readable sources, in a stable order. */
export function inputSources(targets: readonly string[]): InputSource[] {
  const list = targets.length === 0 ? ['-'] : targets;
  return list.flatMap((target) =>
    target === '-'
      ? [{ label: 'stdin', text: readStdin }]
      : filesUnder(target).map((file) => ({ label: file, text: async () => readFileSync(file, 'utf8') })),
  );
}

/** Parses one source into pipeline inputs; ids are `<file> <location>` so failures can be found again. */
export function toPipelineInputs(label: string, text: string): PipelineInput[] {
  return parseAnyInput(text).map((parsed, index) => ({
    id: `${label} ${parsed.location ?? `#${index + 1}`}`,
    parsed,
  }));
}
