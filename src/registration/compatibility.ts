import avro from 'avsc';
import type { CompatibilityLevel } from '../serde/compatibility-level.ts';

/**
 * Avro schema-resolution rules, checked the way a registry does before it accepts a new version. We
 * check them ourselves because moto accepts anything and a CI gate should fail before the registry.
 */

export interface ResolutionProblem {
  /** Dotted field path from the top-level record, e.g. `mail.tags`; `[]` marks array items, `{}` map values. */
  path: string;
  kind:
    | 'missing-default'
    | 'type-changed'
    | 'name-changed'
    | 'enum-symbol-removed'
    | 'union-branch-missing'
    | 'fixed-size-changed';
  /** Reader-perspective explanation (which side reads which). */
  detail: string;
  /** The types at `path` on each side, for messages that say "from old to new". */
  readerType: string;
  writerType: string;
  /** For enum problems: the writer's symbols the reader does not know. */
  symbols?: string[];
}

type AnyType = avro.Type & {
  types?: avro.Type[];
  fields?: avro.types.Field[];
  symbols?: string[];
  default?: unknown;
  size?: number;
  itemsType?: avro.Type;
  valuesType?: avro.Type;
};

const PROMOTIONS: Record<string, readonly string[]> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

function kindOf(type: avro.Type): string {
  if (avro.Type.isType(type, 'union')) return 'union';
  if (type.typeName === 'error') return 'record';
  return type.typeName;
}

function describe(type: avro.Type): string {
  const kind = kindOf(type);
  if (kind === 'union') return `union [${((type as AnyType).types ?? []).map(describe).join(', ')}]`;
  if (NAMED.has(kind)) return `${kind} ${type.name}`;
  if (kind === 'array') return `array<${describe((type as AnyType).itemsType as avro.Type)}>`;
  if (kind === 'map') return `map<${describe((type as AnyType).valuesType as avro.Type)}>`;
  return kind;
}

function shortName(fullName: string | undefined): string | undefined {
  return fullName?.slice(fullName.lastIndexOf('.') + 1);
}

/**
 * Named types match as Avro Java's SchemaCompatibility matches them: by unqualified name (a record
 * that moved namespace still reads), or when the reader lists the writer's full name as an alias.
 */
function namesMatch(reader: avro.Type, writer: avro.Type): boolean {
  if (shortName(reader.name) === shortName(writer.name)) return true;
  return (reader.aliases ?? []).includes(writer.name ?? '');
}

/** Whether `reader` is the branch schema resolution would pick for `writer` (no recursion). */
function sameKind(reader: avro.Type, writer: avro.Type): boolean {
  const rk = kindOf(reader);
  const wk = kindOf(writer);
  if (rk !== wk) return false;
  return NAMED.has(rk) ? namesMatch(reader, writer) : true;
}

function promotable(reader: avro.Type, writer: avro.Type): boolean {
  return PROMOTIONS[kindOf(writer)]?.includes(kindOf(reader)) ?? false;
}

function pickUnionBranch(readerUnion: avro.Type, writer: avro.Type): avro.Type | undefined {
  const branches = (readerUnion as AnyType).types ?? [];
  return (
    branches.find((branch) => sameKind(branch, writer)) ??
    branches.find((branch) => promotable(branch, writer))
  );
}

function join(path: string, segment: string): string {
  return path === '' ? segment : `${path}.${segment}`;
}

/**
 * Everything that stops `reader` from reading data written with `writer`, per the Avro spec's
 * schema-resolution section. Empty when the reader can read all such data.
 */
export function readProblems(reader: avro.Type, writer: avro.Type): ResolutionProblem[] {
  const problems: ResolutionProblem[] = [];
  const visiting = new Set<string>();

  const check = (r: avro.Type, w: avro.Type, path: string): void => {
    const rk = kindOf(r);
    const wk = kindOf(w);
    if (wk === 'union') {
      // Any writer branch may occur in the data, so every one of them must be readable.
      for (const branch of (w as AnyType).types ?? []) check(r, branch, path);
      return;
    }
    if (rk === 'union') {
      const branch = pickUnionBranch(r, w);
      if (!branch) {
        problems.push({
          path,
          kind: 'union-branch-missing',
          detail: `data may be ${describe(w)} but the reader's ${describe(r)} has no branch for it`,
          readerType: describe(r),
          writerType: describe(w),
        });
        return;
      }
      check(branch, w, path);
      return;
    }
    if (rk !== wk) {
      if (promotable(r, w)) return;
      problems.push({
        path,
        kind: 'type-changed',
        detail: `the reader expects ${describe(r)} where the writer wrote ${describe(w)}`,
        readerType: describe(r),
        writerType: describe(w),
      });
      return;
    }
    if (NAMED.has(rk) && !namesMatch(r, w)) {
      problems.push({
        path,
        kind: 'name-changed',
        detail: `the reader's ${rk} is named ${r.name} but the writer's is ${w.name}`,
        readerType: describe(r),
        writerType: describe(w),
      });
      return;
    }
    const readerType = r as AnyType;
    const writerType = w as AnyType;
    switch (rk) {
      case 'record': {
        const pair = `${r.name}|${w.name}`;
        if (visiting.has(pair)) return; // recursive type: this pair is already being checked
        visiting.add(pair);
        const writerFields = writerType.fields ?? [];
        for (const field of readerType.fields ?? []) {
          const fieldPath = join(path, field.name);
          const match =
            writerFields.find((candidate) => candidate.name === field.name) ??
            writerFields.find((candidate) => (field.aliases ?? []).includes(candidate.name));
          if (match) check(field.type, match.type, fieldPath);
          else if (field.defaultValue() === undefined) {
            problems.push({
              path: fieldPath,
              kind: 'missing-default',
              detail: `field "${fieldPath}" is not in the writer's schema and has no default in the reader's`,
              readerType: describe(field.type),
              writerType: '(absent)',
            });
          }
        }
        visiting.delete(pair);
        return;
      }
      case 'enum': {
        const readerSymbols = new Set(readerType.symbols ?? []);
        const missing = (writerType.symbols ?? []).filter((symbol) => !readerSymbols.has(symbol));
        if (missing.length > 0 && readerType.default === undefined) {
          problems.push({
            path,
            kind: 'enum-symbol-removed',
            detail: `enum ${r.name} lacks symbol(s) ${missing.join(', ')} that the writer may use, and has no default symbol`,
            readerType: describe(r),
            writerType: describe(w),
            symbols: missing,
          });
        }
        return;
      }
      case 'fixed':
        if (readerType.size !== writerType.size) {
          problems.push({
            path,
            kind: 'fixed-size-changed',
            detail: `the reader's fixed ${r.name} has size ${readerType.size}, the writer's ${writerType.size}`,
            readerType: `fixed(${readerType.size})`,
            writerType: `fixed(${writerType.size})`,
          });
        }
        return;
      case 'array':
        check(readerType.itemsType as avro.Type, writerType.itemsType as avro.Type, `${path}[]`);
        return;
      case 'map':
        check(readerType.valuesType as avro.Type, writerType.valuesType as avro.Type, `${path}{}`);
        return;
      default:
        return; // same primitive
    }
  };

  check(reader, writer, '');
  return problems;
}

export interface ExistingVersion {
  /** Subject version (Confluent) or schema version number (Glue). */
  version: number;
  type: avro.Type;
}

export interface CompatibilityViolation extends ResolutionProblem {
  /** The existing version the candidate clashes with. */
  version: number;
  /** backward: the new schema cannot read that version's data; forward: that version cannot read new data. */
  direction: 'backward' | 'forward';
  /** One line for humans, naming the field, the version and the fix. */
  message: string;
}

function versionsToCheck(
  level: CompatibilityLevel,
  existing: readonly ExistingVersion[],
): {
  backward: readonly ExistingVersion[];
  forward: readonly ExistingVersion[];
} {
  const latest = existing.length > 0 ? [existing[existing.length - 1] as ExistingVersion] : [];
  switch (level) {
    case 'NONE':
      return { backward: [], forward: [] };
    case 'BACKWARD':
      return { backward: latest, forward: [] };
    case 'BACKWARD_TRANSITIVE':
      return { backward: existing, forward: [] };
    case 'FORWARD':
      return { backward: [], forward: latest };
    case 'FORWARD_TRANSITIVE':
      return { backward: [], forward: existing };
    case 'FULL':
      return { backward: latest, forward: latest };
    case 'FULL_TRANSITIVE':
      return { backward: existing, forward: existing };
  }
}

function explain(problem: ResolutionProblem, direction: 'backward' | 'forward', version: number): string {
  const where = problem.path === '' ? 'top-level schema' : `field "${problem.path}"`;
  // Backward: the new schema reads old data (writer = old). Forward: old readers read new data (reader = old).
  const oldSide = direction === 'backward' ? problem.writerType : problem.readerType;
  const newSide = direction === 'backward' ? problem.readerType : problem.writerType;
  const symbols = (problem.symbols ?? []).join(', ');
  const consequence =
    direction === 'backward'
      ? `the new schema cannot read records written with version ${version}`
      : `readers on version ${version} cannot read records written with the new schema`;
  switch (problem.kind) {
    case 'missing-default':
      return direction === 'backward'
        ? `${where} is new and has no default, so ${consequence}; give it a default (e.g. type ["null", ...] with default null)`
        : `${where} was removed but has no default in version ${version}, so ${consequence}; keep the field, or give it a default in a version first`;
    case 'enum-symbol-removed':
      return direction === 'backward'
        ? `${where}: symbol(s) ${symbols} removed and the enum has no default, so ${consequence}; keep the symbols or add an enum default`
        : `${where}: symbol(s) ${symbols} are new to version ${version}, which has no enum default, so ${consequence}; add an enum default in a version first`;
    case 'type-changed':
    case 'fixed-size-changed':
    case 'name-changed':
    case 'union-branch-missing':
      return `${where}: changed from ${oldSide} to ${newSide}, so ${consequence}`;
  }
}

/**
 * Checks a candidate schema against existing versions (oldest first) under a compatibility level, in
 * the directions and against the versions that level requires.
 */
export function checkCompatibility(
  candidate: avro.Type,
  existing: readonly ExistingVersion[],
  level: CompatibilityLevel,
): CompatibilityViolation[] {
  const { backward, forward } = versionsToCheck(level, existing);
  const violations: CompatibilityViolation[] = [];
  for (const old of backward) {
    for (const problem of readProblems(candidate, old.type)) {
      violations.push({
        ...problem,
        version: old.version,
        direction: 'backward',
        message: explain(problem, 'backward', old.version),
      });
    }
  }
  for (const old of forward) {
    for (const problem of readProblems(old.type, candidate)) {
      violations.push({
        ...problem,
        version: old.version,
        direction: 'forward',
        message: explain(problem, 'forward', old.version),
      });
    }
  }
  return violations;
}
