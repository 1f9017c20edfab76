// Small helpers every query module shares: positional parameters and the instant ⇄ SQL conversions.
import type { DuckDBValue } from '@duckdb/node-api';
import { EngineError } from '../util/errors';

/** Collects positional parameters; `add` returns the `$n` placeholder to splice into SQL. User text only ever goes here. */
export class Params {
  readonly values: DuckDBValue[] = [];
  add(v: DuckDBValue): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  /** `$n::TIMESTAMPTZ` for an ISO instant already checked by `checkInstant`. */
  instant(iso: string): string {
    return `${this.add(iso)}::TIMESTAMPTZ`;
  }
  list(vs: readonly string[]): string {
    return vs.map((v) => this.add(v)).join(', ');
  }
}

// ISO-8601 with a date, a time and an explicit zone (Z or ±hh:mm): anything vaguer would be read in some local zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function checkInstant(iso: string, what: string): string {
  if (!ISO_INSTANT.test(iso) || Number.isNaN(Date.parse(iso))) {
    throw new EngineError('invalid_input', `${what} "${iso}" is not an ISO-8601 instant with a zone (e.g. 2023-07-30T00:13:45.400Z).`);
  }
  return iso;
}

/**
 * Microseconds since the epoch (as DuckDB's epoch_us returns it, a string in JSON rows) → ISO instant in UTC.
 * Milliseconds are always printed; microseconds only when present, so cursors built from rows stay exact.
 */
export function isoFromMicros(us: string | number | bigint | null | undefined): string | null {
  if (us === null || us === undefined) return null;
  const big = BigInt(us);
  const ms = big / 1000n - (big % 1000n < 0n ? 1n : 0n);
  const micro = Number(big - ms * 1000n);
  const iso = new Date(Number(ms)).toISOString();
  return micro === 0 ? iso : `${iso.slice(0, -1)}${String(micro).padStart(3, '0')}Z`;
}

/** ISO instant → microseconds since the epoch (keeps sub-millisecond digits that Date would drop). */
export function microsFromIso(iso: string): bigint {
  const m = /\.(\d+)(?=Z|[+-])/.exec(iso);
  const frac = m?.[1] ?? '';
  const base = Date.parse(iso.replace(/\.\d+(?=Z|[+-])/, ''));
  return BigInt(base) * 1000n + BigInt((frac + '000000').slice(0, 6));
}

export const elapsedMs = (t0: number): number => Math.round((performance.now() - t0) * 10) / 10;

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
