import { ConfiguredTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import type { RecordSchemas } from '../types.ts';

const definition = defineConfig({});

/** Drops every record it sees; combine with a predicate to drop only some. */
export class Filter extends ConfiguredTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;

  outputSchema(input: RecordSchemas): RecordSchemas {
    return input;
  }

  apply(): null {
    return null;
  }
}
