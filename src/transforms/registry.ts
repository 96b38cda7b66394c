/**
 * Which names resolve to which transform: full Java class names
 * (`org.apache.kafka.connect.transforms.InsertField$Value`), short aliases (`InsertField$Value`) and,
 * for transforms with `$Key`/`$Value` variants, the bare name meaning `$Value`. Our extras live under
 * `ses.kafka.transforms`.
 */
import { ConfigError } from '../errors.ts';
import type { Side } from './base.ts';
import type { ConfigDef } from './config-def.ts';
import {
  FieldValueMatches,
  HasHeaderKey,
  RecordIsTombstone,
  TopicNameMatches,
} from './predicates/predicates.ts';
import { Cast } from './smt/cast.ts';
import { DropField } from './smt/drop-field.ts';
import { DropHeaders } from './smt/drop-headers.ts';
import { ExtractField } from './smt/extract-field.ts';
import { ExtractTopic } from './smt/extract-topic.ts';
import { Filter } from './smt/filter.ts';
import { Flatten } from './smt/flatten.ts';
import { HashField } from './smt/hash-field.ts';
import { HeaderFrom } from './smt/header-from.ts';
import { HoistField } from './smt/hoist-field.ts';
import { InsertField } from './smt/insert-field.ts';
import { InsertHeader } from './smt/insert-header.ts';
import { MaskField } from './smt/mask-field.ts';
import { RegexRouter } from './smt/regex-router.ts';
import { ReplaceField } from './smt/replace-field.ts';
import { SetSchemaMetadata } from './smt/set-schema-metadata.ts';
import { TimestampConverter } from './smt/timestamp-converter.ts';
import { TimestampRouter } from './smt/timestamp-router.ts';
import { ValueToKey } from './smt/value-to-key.ts';
import type { Predicate, Transform } from './types.ts';

export const CONNECT_PACKAGE = 'org.apache.kafka.connect.transforms';
export const CONNECT_PREDICATE_PACKAGE = 'org.apache.kafka.connect.transforms.predicates';
export const EXTRAS_PACKAGE = 'ses.kafka.transforms';
export const EXTRAS_PREDICATE_PACKAGE = 'ses.kafka.transforms.predicates';

export interface ResolvedPlugin<P> {
  /** Canonical class name, e.g. `org.apache.kafka.connect.transforms.Cast$Value`. */
  className: string;
  definition: ConfigDef;
  create(): P;
}

type SideClass = (new (side: Side) => Transform) & { definition: ConfigDef };
type PlainClass = (new () => Transform) & { definition: ConfigDef };

const SIDED: Record<string, { pkg: string; cls: SideClass }> = {
  InsertField: { pkg: CONNECT_PACKAGE, cls: InsertField },
  ReplaceField: { pkg: CONNECT_PACKAGE, cls: ReplaceField },
  MaskField: { pkg: CONNECT_PACKAGE, cls: MaskField },
  ExtractField: { pkg: CONNECT_PACKAGE, cls: ExtractField },
  HoistField: { pkg: CONNECT_PACKAGE, cls: HoistField },
  Flatten: { pkg: CONNECT_PACKAGE, cls: Flatten },
  Cast: { pkg: CONNECT_PACKAGE, cls: Cast },
  TimestampConverter: { pkg: CONNECT_PACKAGE, cls: TimestampConverter },
  SetSchemaMetadata: { pkg: CONNECT_PACKAGE, cls: SetSchemaMetadata },
  HeaderFrom: { pkg: CONNECT_PACKAGE, cls: HeaderFrom },
  HashField: { pkg: EXTRAS_PACKAGE, cls: HashField },
  DropField: { pkg: EXTRAS_PACKAGE, cls: DropField },
};

const PLAIN: Record<string, { pkg: string; cls: PlainClass }> = {
  ValueToKey: { pkg: CONNECT_PACKAGE, cls: ValueToKey },
  RegexRouter: { pkg: CONNECT_PACKAGE, cls: RegexRouter },
  TimestampRouter: { pkg: CONNECT_PACKAGE, cls: TimestampRouter },
  Filter: { pkg: CONNECT_PACKAGE, cls: Filter },
  InsertHeader: { pkg: CONNECT_PACKAGE, cls: InsertHeader },
  DropHeaders: { pkg: CONNECT_PACKAGE, cls: DropHeaders },
  ExtractTopic: { pkg: EXTRAS_PACKAGE, cls: ExtractTopic },
};

type PredicateClass = (new () => Predicate) & { definition: ConfigDef };

const PREDICATES: Record<string, { pkg: string; cls: PredicateClass }> = {
  TopicNameMatches: { pkg: CONNECT_PREDICATE_PACKAGE, cls: TopicNameMatches },
  HasHeaderKey: { pkg: CONNECT_PREDICATE_PACKAGE, cls: HasHeaderKey },
  RecordIsTombstone: { pkg: CONNECT_PREDICATE_PACKAGE, cls: RecordIsTombstone },
  FieldValueMatches: { pkg: EXTRAS_PREDICATE_PACKAGE, cls: FieldValueMatches },
};

function stripPackage(name: string, packages: readonly string[]): string | null {
  const lastDot = name.lastIndexOf('.');
  if (lastDot < 0) return name;
  return packages.includes(name.slice(0, lastDot)) ? name.slice(lastDot + 1) : null;
}

export function knownTransformNames(): string[] {
  return [
    ...Object.keys(SIDED).flatMap((name) => [`${name}$Key`, `${name}$Value`]),
    ...Object.keys(PLAIN),
  ].sort();
}

export function resolveTransform(typeName: string, key: string): ResolvedPlugin<Transform> {
  const unknown = () =>
    new ConfigError(
      key,
      `unknown transform type "${typeName}"; known types (short names or under ${CONNECT_PACKAGE} / ${EXTRAS_PACKAGE}): ${knownTransformNames().join(', ')}`,
    );
  const short = stripPackage(typeName, [CONNECT_PACKAGE, EXTRAS_PACKAGE]);
  if (short === null) throw unknown();
  const [base = '', variant, ...rest] = short.split('$');
  if (rest.length > 0) throw unknown();
  const sided = SIDED[base];
  if (sided && (variant === undefined || variant === 'Key' || variant === 'Value')) {
    const side: Side = variant === 'Key' ? 'key' : 'value';
    return {
      className: `${sided.pkg}.${base}$${variant ?? 'Value'}`,
      definition: sided.cls.definition,
      create: () => new sided.cls(side),
    };
  }
  const plain = PLAIN[base];
  if (plain && variant === undefined) {
    return {
      className: `${plain.pkg}.${base}`,
      definition: plain.cls.definition,
      create: () => new plain.cls(),
    };
  }
  throw unknown();
}

export function resolvePredicate(typeName: string, key: string): ResolvedPlugin<Predicate> {
  const short = stripPackage(typeName, [CONNECT_PREDICATE_PACKAGE, EXTRAS_PREDICATE_PACKAGE]);
  const found = short === null ? undefined : PREDICATES[short];
  if (!found) {
    throw new ConfigError(
      key,
      `unknown predicate type "${typeName}"; known predicates: ${Object.keys(PREDICATES).join(', ')}`,
    );
  }
  return {
    className: `${found.pkg}.${short}`,
    definition: found.cls.definition,
    create: () => new found.cls(),
  };
}
