/**
 * fast-check generators of Avro schemas, shared by the differential tests that compare our schema
 * handling with Avro Java's (schema text, compatibility): nested and referenced named types, every
 * namespace form, docs, defaults, aliases, field order, logical types and custom attributes.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
const namespace = fc.oneof(
  fc.constant(undefined),
  fc.constant(''),
  fc
    .array(fc.stringMatching(/^[a-z][a-z0-9]{0,4}$/), { minLength: 1, maxLength: 3 })
    .map((parts) => parts.join('.')),
);
const docText = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 12 }),
  fc.constant('tab\there "q" \\ é\u0001'),
);
const attributeValue: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 3 }),
  fc.dictionary(identifier, fc.integer({ min: 0, max: 9 }), { maxKeys: 2 }),
);
const attributes = fc.dictionary(
  identifier
    .filter(
      (key) =>
        ![
          'doc',
          'fields',
          'items',
          'name',
          'namespace',
          'size',
          'symbols',
          'values',
          'type',
          'aliases',
          'default',
          'order',
          'logicalType',
        ].includes(key),
    )
    .map((key) => `x_${key}`),
  attributeValue,
  { maxKeys: 2 },
);

interface Generated {
  schema: Json;
  /** A value the schema accepts as a field default (Avro JSON encoding), when one is easy to give. */
  defaultValue?: Json;
}

/** Builds schemas recursively; named types get unique names so references can point back at them. */
export function schemaArbitrary(): fc.Arbitrary<Json> {
  return fc
    .record({
      rootName: identifier,
      rootSpace: namespace,
      rootDoc: docText,
      fieldCount: fc.integer({ min: 1, max: 5 }),
      seeds: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 80, maxLength: 80 }),
      rootAttributes: attributes,
      rootAliases: fc.array(identifier, { maxLength: 2 }),
    })
    .map(({ rootName, rootSpace, rootDoc, fieldCount, seeds, rootAttributes, rootAliases }) => {
      let cursor = 0;
      const next = (n: number): number => (seeds[cursor++ % seeds.length] as number) % n;
      let counter = 0;
      const definedNames: string[] = [];

      const primitive = (): Generated => {
        const options: Generated[] = [
          { schema: 'string', defaultValue: 'd' },
          { schema: 'int', defaultValue: 7 },
          { schema: 'long', defaultValue: -3 },
          { schema: 'double', defaultValue: 1.5 },
          { schema: 'float', defaultValue: 2.25 },
          { schema: 'boolean', defaultValue: true },
          { schema: 'bytes', defaultValue: '\u00ff' },
          { schema: 'null', defaultValue: null },
          { schema: { type: 'long', logicalType: 'timestamp-millis' }, defaultValue: 0 },
          { schema: { type: 'int', logicalType: 'date', x_note: 'n' }, defaultValue: 1 },
          { schema: { type: 'string' }, defaultValue: 's' },
        ];
        return options[next(options.length)] as Generated;
      };

      const build = (depth: number): Generated => {
        const choice = next(depth > 2 ? 2 : 9);
        if (choice <= 1) return primitive();
        const name = `T${counter++}`;
        const space = [undefined, '', 'ns.a', 'ns.b'][next(4)];
        const withSpace = (schema: { [key: string]: Json }): { [key: string]: Json } => {
          if (space === undefined) return schema;
          if (next(2) === 0 && space !== '') return { ...schema, name: `${space}.${name}` };
          return { ...schema, namespace: space };
        };
        switch (choice) {
          case 2: {
            definedNames.push(space ? `${space}.${name}` : name);
            const symbols = ['A', 'B', 'C'].slice(0, 1 + next(3));
            const schema: { [key: string]: Json } = withSpace({ type: 'enum', name, symbols });
            if (next(2) === 0) schema.default = symbols[0] as string;
            if (next(3) === 0) schema.doc = 'an enum';
            if (next(3) === 0) schema.aliases = ['OldEnum'];
            return { schema, defaultValue: symbols[0] as string };
          }
          case 3: {
            definedNames.push(space ? `${space}.${name}` : name);
            return { schema: withSpace({ type: 'fixed', name, size: 1 + next(4) }) };
          }
          case 4: {
            const items = build(depth + 1);
            return { schema: { type: 'array', items: items.schema }, defaultValue: [] };
          }
          case 5: {
            const values = build(depth + 1);
            return { schema: { type: 'map', values: values.schema }, defaultValue: {} };
          }
          case 6: {
            const first = primitive();
            const branches = ['null', first.schema].filter(
              (branch, index, all) =>
                all.findIndex((other) => JSON.stringify(other) === JSON.stringify(branch)) === index,
            );
            return { schema: branches, defaultValue: null };
          }
          case 7: {
            if (definedNames.length > 0) {
              const target = definedNames[next(definedNames.length)] as string;
              return { schema: target };
            }
            return primitive();
          }
          default: {
            definedNames.push(space ? `${space}.${name}` : name);
            const fields = Array.from({ length: 1 + next(3) }, (_, index) => field(`f${index}`, depth + 1));
            return { schema: withSpace({ type: next(6) === 0 ? 'error' : 'record', name, fields }) };
          }
        }
      };

      const field = (name: string, depth: number): Json => {
        const type = build(depth);
        const out: { [key: string]: Json } = { name, type: type.schema };
        if (next(3) === 0) out.doc = `doc of ${name}`;
        if (type.defaultValue !== undefined && next(2) === 0) out.default = type.defaultValue;
        if (next(5) === 0) out.order = ['ascending', 'descending', 'ignore'][next(3)] as string;
        if (next(5) === 0) out.aliases = [`${name}_old`];
        if (next(5) === 0) out.x_field = next(100);
        return out;
      };

      const root: { [key: string]: Json } = {
        type: 'record',
        name: rootName,
        fields: Array.from({ length: fieldCount }, (_, index) => field(`field${index}`, 0)),
        ...rootAttributes,
      };
      if (rootSpace !== undefined) root.namespace = rootSpace;
      if (rootDoc !== undefined) root.doc = rootDoc;
      if (rootAliases.length > 0) root.aliases = rootAliases;
      return root;
    });
}

/** The same schema spelled differently: keys reversed at every level (whitespace comes from JSON.stringify). */
export function respelled(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(respelled);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .reverse()
      .map(([key, value]) => [key, key === 'default' ? value : respelled(value)]),
  );
}
