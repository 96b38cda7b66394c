/**
 * A plain-text table for people at a terminal: the first row is the header, then a rule; columns are
 * padded to their widest cell, the first left-aligned and the rest right-aligned (they hold numbers).
 */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  const line = (row: readonly string[]) =>
    row
      .map((cell, index) =>
        index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
      )
      .join('  ');
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** The same for rows of named values (query results): the keys of the first row are the header. */
export function formatRecords(data: readonly Readonly<Record<string, unknown>>[]): string {
  if (data.length === 0) return '(no rows)';
  const columns = Object.keys(data[0] as Record<string, unknown>);
  return formatTable([columns, ...data.map((row) => columns.map((column) => String(row[column] ?? '')))]);
}
