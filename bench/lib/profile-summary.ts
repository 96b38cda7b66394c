/**
 * Reads a V8 `.cpuprofile` and says where the time went: self time by function, and time by the project
 * file that caused it (each sample goes to the nearest frame in src/, so a library call or a hash counts
 * against the code that made it). Used by bench/profile.ts; also runs on any profile:
 * `npx tsx bench/lib/profile-summary.ts file.cpuprofile`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by `function file`, largest first. */
  selfByFunction: Array<[string, number]>;
  /** Time by the nearest project file on the stack (src/...), or by what ran outside project code. */
  byProjectFile: Array<[string, number]>;
  /** Time under each project function (inclusive), largest first. */
  inclusiveByFunction: Array<[string, number]>;
}

function shortUrl(url: string): string {
  const match = /\/(src|bench|node_modules)\/(.*)$/.exec(url);
  return match ? `${match[1]}/${match[2]}` : url;
}

function frameName(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  const file = shortUrl(url);
  return `${functionName || '(anonymous)'}${file ? ` ${file}` : ''}`;
}

function sorted(map: Map<string, number>): Array<[string, number]> {
  return [...map].sort((a, b) => b[1] - a[1]);
}

export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMicros = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
    total += delta;
  });
  const selfByFunction = new Map<string, number>();
  const byProjectFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, micros: number) =>
    map.set(key, (map.get(key) ?? 0) + micros / 1000);
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id) as ProfileNode;
    add(selfByFunction, frameName(node), micros);
    let owner: string | undefined;
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const frame = byId.get(current) as ProfileNode;
      const file = shortUrl(frame.callFrame.url);
      if (file.startsWith('src/')) {
        owner ??= file;
        const name = frameName(frame);
        if (!seen.has(name)) {
          seen.add(name);
          add(inclusive, name, micros);
        }
      }
    }
    const outside = node.callFrame.functionName.startsWith('(')
      ? node.callFrame.functionName
      : `(outside src/: ${shortUrl(node.callFrame.url) || node.callFrame.functionName})`;
    add(byProjectFile, owner ?? outside, micros);
  }
  return {
    totalMs: total / 1000,
    selfByFunction: sorted(selfByFunction),
    byProjectFile: sorted(byProjectFile),
    inclusiveByFunction: sorted(inclusive),
  };
}

export function formatSummary(summary: ProfileSummary, top = 25): string {
  const lines: string[] = [`profiled ${summary.totalMs.toFixed(0)} ms`];
  const section = (title: string, rows: Array<[string, number]>) => {
    lines.push('', title);
    for (const [name, ms] of rows.slice(0, top)) {
      const share = ((100 * ms) / summary.totalMs).toFixed(1).padStart(5);
      lines.push(`${share}%  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
    }
  };
  section(
    'by project file (library and runtime time counted against the src/ file that called it)',
    summary.byProjectFile,
  );
  section('self time by function', summary.selfByFunction);
  section('inclusive time of project functions', summary.inclusiveByFunction);
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error('usage: npx tsx bench/lib/profile-summary.ts <file.cpuprofile> [rows]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(formatSummary(summariseProfile(profile), Number(process.argv[3] ?? 25)));
}
