/**
 * Numbers and tables for humans, shared by the commands: counts with
 * thousands separators, byte sizes in binary units, durations in the unit
 * that keeps three digits, and plain-text tables.
 */

/** 1234567 -> "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Microseconds -> "850 ns", "12.3 µs", "4.56 ms", "1.23 s". */
export function formatMicros(us: number): string {
  if (us < 1) return `${Math.round(us * 1000)} ns`;
  if (us < 1000) return `${us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0)} µs`;
  const ms = us / 1000;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Bytes -> "512 B", "12.3 KiB", "118 MiB", "2.05 GiB". */
export function formatBytesSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ${units[unit]}`;
}

/**
 * Lays out rows as a table: the first row is the header, underlined.
 * `align` 'numbers' left-aligns the first column and right-aligns the
 * others (for columns of figures); 'left' left-aligns them all.
 */
export function renderTable(rows: readonly (readonly string[])[], align: 'numbers' | 'left' = 'numbers'): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (i === 0 || align === 'left' ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (header === undefined) return [];
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}
