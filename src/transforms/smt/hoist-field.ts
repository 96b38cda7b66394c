import { SideTransform } from '../base.ts';
import { defineConfig } from '../config-def.ts';
import { type AvroRecordSchema, type AvroSchema, isOptional, isValidAvroName, newField } from '../schema.ts';
import { TransformDataError } from '../types.ts';

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

  private nullable = true;

  protected mapSchema(schema: AvroSchema): AvroSchema {
    this.nullable = isOptional(schema);
    // Connect's hoisted struct has no name; Avro needs one.
    const hoisted: AvroRecordSchema = {
      type: 'record',
      name: `Hoisted${this.side === 'key' ? 'Key' : 'Value'}_${this.config.field}`,
      fields: [newField(this.config.field, schema)],
    };
    return hoisted;
  }

  protected mapValue(value: unknown): unknown {
    // Connect puts the value into a struct field of the same schema, which refuses a null when the
    // schema is required (a tombstone under a required schema).
    if ((value === null || value === undefined) && !this.nullable) {
      throw new TransformDataError(
        `HoistField: the ${this.side} is null but its schema is required, so field "${this.config.field}" cannot hold it`,
      );
    }
    return { [this.config.field]: value ?? null };
  }
}
