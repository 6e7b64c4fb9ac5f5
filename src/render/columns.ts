// Aligned columns for plain-text output: every text table the tool prints (the report's status
// lines, `table`, `list`, `config`) pads its cells here, so they line up the same way everywhere.

export type Alignment = 'left' | 'right';

export interface ColumnOptions {
  /** Per column; left unless given. */
  align?: readonly Alignment[];
  /** Per column, the widest a column is padded to; longer cells overflow rather than widen it. */
  maxWidth?: readonly (number | undefined)[];
}

/** Every cell padded to its column's width (the widest cell, within maxWidth); callers join and trim. */
export function alignColumns(rows: ReadonlyArray<readonly string[]>, options: ColumnOptions = {}): string[][] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) => {
    const widest = Math.max(0, ...rows.map((row) => row[i]?.length ?? 0));
    return Math.min(widest, options.maxWidth?.[i] ?? widest);
  });
  return rows.map((row) =>
    row.map((cell, i) => (options.align?.[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))),
  );
}
