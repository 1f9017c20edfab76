// Shared CLI output helpers: aligned tables for people, JSON/CSV for scripts, one way to fail.
import { ContractFailure } from '../engine/engine';

export function printTable(rows: Record<string, unknown>[], columns?: string[]): void {
  if (rows.length === 0) { process.stdout.write('(no rows)\n'); return; }
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/\s+/g, ' ');
  // The last column is never cut (nothing follows it): a file's note is read whole.
  const widths = cols.map((c, i) => Math.min(i === cols.length - 1 ? Infinity : 80, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const fmt = (vals: string[]) => vals.map((v, i) => (v.length > widths[i]! ? v.slice(0, widths[i]! - 1) + '…' : v.padEnd(widths[i]!))).join('  ').trimEnd();
  // The rule under the last column stops at the width of the others: a cut 1 MB line must not draw 1 MB of dashes.
  process.stdout.write(fmt(cols) + '\n' + fmt(widths.map((w, i) => '-'.repeat(i === cols.length - 1 ? Math.min(w, Math.max(80, cols[i]!.length)) : w))) + '\n');
  for (const r of rows) process.stdout.write(fmt(cols.map((c) => cell(r[c]))) + '\n');
}

export function printCsv(rows: Record<string, unknown>[], columns: string[]): void {
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  process.stdout.write(columns.map(esc).join(',') + '\n');
  for (const r of rows) process.stdout.write(columns.map((c) => esc(r[c])).join(',') + '\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Prints a clear one-line error (never a stack) and sets a non-zero exit code. */
export function fail(e: unknown): void {
  const msg = e instanceof ContractFailure ? `${e.error.message}` : e instanceof Error ? e.message.split('\n')[0] : String(e);
  process.stderr.write(`casefile: ${msg}\n`);
  process.exitCode = 1;
}
