import { SideTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import { type AvroRecordSchema, type AvroSchema, isValidAvroName, newField } from '../schema.ts';

const definition = defineConfig({
  field: { type: 'string', doc: 'name of the single field of the new record' },
});

export class HoistField extends SideTransform<typeof definition> {
  static readonly definition = definition;
  protected readonly definition = definition;

  protected override validate(): void {
    if (!isValidAvroName(this.config.field)) {
      throw this.configError(
        'field',
        `"${this.config.field}" is not a valid Avro field name ([A-Za-z_][A-Za-z0-9_]*)`,
      );
    }
  }

  protected mapSchema(schema: AvroSchema): AvroSchema {
    // Connect's hoisted struct has no name; Avro needs one.
    const hoisted: AvroRecordSchema = {
      type: 'record',
      name: `Hoisted${this.side === 'key' ? 'Key' : 'Value'}_${this.config.field}`,
      fields: [newField(this.config.field, schema)],
    };
    return hoisted;
  }

  protected mapValue(value: unknown): unknown {
    return { [this.config.field]: value ?? null };
  }
}
