// Shared CLI output helpers: aligned tables for people, JSON/CSV for scripts, one way to fail, and the checks of
// what the operator typed (numbers, input files) that every command words the same way.
import { readFileSync } from 'node:fs';
import { ZodError } from 'zod';
import { ContractFailure } from '../engine/engine';
import { zodMessage } from '../../shared/contract';
import { csvFormulaSafe } from '../../shared/csvFormula';
import { printable, printableJson } from '../../shared/printable';

/** The exit codes of every command, in one place (README, "Exit codes"). */
export const EXIT = { ok: 0, error: 1, nothingFound: 2, hostKeyRefused: 3, overCap: 4, notYet: 5, blocked: 6 } as const;

/** A table for people: every cell (evidence text: log lines, file names, user ids) shown through printable(). */
export function printTable(rows: Record<string, unknown>[], columns?: string[]): void {
  if (rows.length === 0) { process.stdout.write('(no rows)\n'); return; }
  const keys = columns ?? Object.keys(rows[0]!);
  const cols = keys.map(printable);
  const cell = (v: unknown) => printable((v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/\s+/g, ' '));
  // Each cell made once, for its width and its line.
  const cells = rows.map((r) => keys.map((k) => cell(r[k])));
  // The last column is never cut (nothing follows it): a file's note is read whole.
  const widths = cols.map((c, i) => Math.min(i === cols.length - 1 ? Infinity : 80, cells.reduce((w, line) => Math.max(w, line[i]!.length), c.length)));
  const fmt = (vals: string[]) => vals.map((v, i) => (v.length > widths[i]! ? v.slice(0, widths[i]! - 1) + '…' : v.padEnd(widths[i]!))).join('  ').trimEnd();
  // The rule under the last column stops at the width of the others: a cut 1 MB line must not draw 1 MB of dashes.
  process.stdout.write(fmt(cols) + '\n' + fmt(widths.map((w, i) => '-'.repeat(i === cols.length - 1 ? Math.min(w, Math.max(80, cols[i]!.length)) : w))) + '\n');
  for (const line of cells) process.stdout.write(fmt(line) + '\n');
}

/**
 * CSV: what `> x.csv` makes is opened in a spreadsheet, so a text cell that would run as a formula gets a leading '
 * (shared/csvFormula.ts) unless `exact` (a script that wants the values as stored). At a terminal (a person reading
 * it) the values are shown through printable().
 */
export function printCsv(rows: Record<string, unknown>[], columns: string[], exact = false): void {
  const shown = process.stdout.isTTY ? printable : (s: string) => s;
  const esc = (v: unknown) => {
    const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    // numbers (-5) are never formulas; text and JSON cells are guarded
    const s = shown(exact || typeof v === 'number' || typeof v === 'bigint' ? text : csvFormulaSafe(text));
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  process.stdout.write(columns.map(esc).join(',') + '\n');
  for (const r of rows) process.stdout.write(columns.map((c) => esc(r[c])).join(',') + '\n');
}

/** JSON for scripts: exact after JSON.parse, with the bidi, zero-width and C1 characters JSON leaves raw as \u escapes. */
export function printJson(value: unknown): void {
  process.stdout.write(jsonText(value, 2) + '\n');
}

/** JSON.stringify with the escapes of printJson (one line without indent: JSON lines). */
export function jsonText(value: unknown, indent?: number): string {
  return printableJson(JSON.stringify(value, null, indent));
}

/** Prints a clear one-line error (never a stack) and sets a non-zero exit code. */
export function fail(e: unknown): void {
  // A validation error's message is a JSON dump whose first line is '[': its issues are said instead.
  const msg = e instanceof ContractFailure ? `${e.error.message}` : e instanceof ZodError ? `Not valid: ${zodMessage(e)}.`
    : e instanceof Error ? e.message.split('\n')[0] : String(e);
  process.stderr.write(`casefile: ${printable(msg ?? '')}\n`);
  process.exitCode = EXIT.error;
}

/** A commander option parser for a whole number from 1 to max; anything else is refused, naming the flag. */
export function intFrom1To(flag: string, max: number): (v: string) => number {
  return intFromTo(flag, 1, max);
}

/** The same from min (0 for an offset) to max. */
export function intFromTo(flag: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || n < min || n > max) throw new Error(`${flag} must be an integer from ${min} to ${max}, got ${v}`);
    return n;
  };
}

/** A file the operator named that cannot be read, as a sentence instead of an errno (ENOENT, EISDIR…). */
export function inputFileError(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new Error(`Cannot read ${file}: no such file.`, { cause: e });
  if (code === 'EISDIR') return new Error(`${file} is a folder, not a file.`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM') return new Error(`Cannot read ${file}: permission denied.`, { cause: e });
  return e instanceof Error ? e : new Error(String(e));
}

/** Reads a file the operator named (a sample, a key, a profile), refusing a missing one or a folder with a sentence. */
export function readInputFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw inputFileError(file, e);
  }
}
