/**
 * The event columns a destination has: the fixed model plus the extra columns schema evolution added
 * (evolution.ts), with the type each was created with. Table and file sinks keep one of these, learn
 * the extra columns already in their table when they open, and add the ones a batch brings.
 */
import { coerceCell } from './evolution.ts';
import { type Cell, type ColumnType, EVENT_COLUMNS, type EventRow, type ExtraColumn } from './model.ts';

export class EventColumns {
  readonly #extras = new Map<string, ColumnType>();

  constructor(existing: Iterable<ExtraColumn> = []) {
    for (const column of existing) this.#extras.set(column.name, column.type);
  }

  /** The batch's extra columns this destination does not have yet. */
  missing(columns: readonly ExtraColumn[]): ExtraColumn[] {
    return columns.filter((column) => !this.#extras.has(column.name));
  }

  add(columns: readonly ExtraColumn[]): void {
    for (const column of columns)
      if (!this.#extras.has(column.name)) this.#extras.set(column.name, column.type);
  }

  get extras(): ExtraColumn[] {
    return [...this.#extras].map(([name, type]) => ({ field: name, name, type }));
  }

  /** Every event column in table order: the fixed ones, then the extras in the order they were added. */
  names(): string[] {
    return [...Object.keys(EVENT_COLUMNS), ...this.#extras.keys()];
  }

  typeOf(name: string): ColumnType {
    return (EVENT_COLUMNS as Record<string, ColumnType>)[name] ?? this.#extras.get(name) ?? 'text';
  }

  /**
   * The rows as this destination stores them: an extra column whose type in this batch differs from
   * the one the column was created with is converted (or NULL). Rows are returned as they are when no
   * column needs converting, which is the usual case.
   */
  conform(rows: EventRow[], batchColumns: readonly ExtraColumn[]): EventRow[] {
    const differing = batchColumns.filter((column) => {
      const stored = this.#extras.get(column.name);
      return stored !== undefined && stored !== column.type;
    });
    if (differing.length === 0) return rows;
    return rows.map((row) => {
      const copy: EventRow = { ...row };
      for (const column of differing) {
        const cell = row[column.name];
        if (cell !== undefined)
          copy[column.name] = coerceCell(cell as Cell, column.type, this.typeOf(column.name));
      }
      return copy;
    });
  }
}
