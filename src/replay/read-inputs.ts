/**
 * Whole-text inputs for `ses-kafka parse`, which prints what it read per file: the same files, folders
 * and stdin as replay (src/replay/local-source.ts), gzip included, each read into one string. Replay
 * itself streams (src/replay/replay.ts) and never holds a file whole.
 */
import { objectText } from './archive.ts';
import { listLocalTarget } from './local-source.ts';

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface InputSource {
  label: string;
  text: () => Promise<string>;
}

/**
 * Expands FILE, DIR (recursively) and `-` (stdin) into readable sources, in a stable order, and lists
 * the files in folders that were skipped. A missing file is a source that fails to read, so it is
 * reported with the others instead of stopping the run.
 */
export function inputSources(targets: readonly string[]): { sources: InputSource[]; skipped: SkippedFile[] } {
  const list = targets.length === 0 ? ['-'] : targets;
  const skipped: SkippedFile[] = [];
  const sources: InputSource[] = [];
  for (const target of list) {
    for (const listed of listLocalTarget(target)) {
      if (listed.kind === 'skipped') {
        skipped.push({ path: listed.label, reason: listed.reason });
        continue;
      }
      const object = listed.object;
      sources.push({
        label: object.label,
        text: async () => {
          let text = '';
          for await (const chunk of objectText(await object.open())) text += chunk;
          return text;
        },
      });
    }
  }
  return { sources, skipped };
}
