/** Helpers shared by the benchmarks: medians, ratios and a printable table. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A row of a result table. */
export type Row = Record<string, string | number>;

export function formatNumber(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
}

/** A Markdown table (also readable as plain text). */
export function table(rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0] ?? {});
  const cell = (value: string | number | undefined) =>
    typeof value === 'number' ? formatNumber(value) : (value ?? '');
  const lines = [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((column) => cell(row[column])).join(' | ')} |`),
  ];
  return lines.join('\n');
}

/** Runs every case once per round, interleaved, and returns each case's measurements. */
export async function interleaved<T extends string>(
  cases: readonly T[],
  rounds: number,
  measure: (name: T) => Promise<number> | number,
): Promise<Map<T, number[]>> {
  const results = new Map<T, number[]>(cases.map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const name of cases) results.get(name)?.push(await measure(name));
  }
  return results;
}
