/** Plain-text tables for the terminal. */
import { SPLITS, type SplitCounts } from '../data/types.ts';

export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Images per split (rows) and class (columns), with totals. */
export function formatSplitTable(counts: SplitCounts, classes: string[]): string {
  const rows: (string | number)[][] = SPLITS.map((s) => {
    const per = classes.map((c) => counts[s][c] ?? 0);
    return [s, ...per, per.reduce((a, b) => a + b, 0)];
  });
  const totals = classes.map((c) => SPLITS.reduce((a, s) => a + (counts[s][c] ?? 0), 0));
  rows.push(['all', ...totals, totals.reduce((a, b) => a + b, 0)]);
  return formatTable(['split', ...classes, 'total'], rows);
}
