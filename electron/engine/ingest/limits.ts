// Bounds on what one import may cost, whatever the input: line and record length, how far compressed data may
// expand, and the disk it may fill. Defaults suit real log bundles; an operator raises them per case (case.json
// `limits`) or per run (CASEFILE_* environment variables). See docs/SECURITY.md (the import door).
import { promises as fs } from 'node:fs';
import { z } from 'zod';
import { EngineError } from '../util/errors';

export const IntakeLimits = z.object({
  /** Characters of one line kept in its event; the rest is counted and hashed, the evidence keeps every byte. */
  maxLineChars: z.number().int().positive(),
  /** Characters of one multi-line record; a longer one continues in the next record (whole lines each). */
  maxRecordChars: z.number().int().positive(),
  /** Decompressed ÷ compressed bytes beyond which a file or archive is refused as a bomb (0 = no ratio check). */
  maxRatio: z.number().nonnegative(),
  /** Decompressed bytes of one file (a .gz log, or one archive member). */
  maxFileBytes: z.number().positive(),
  /** Decompressed bytes of one bundle (an archive's members together; all .gz logs of a bundle together). */
  maxBundleBytes: z.number().positive(),
  /** Disk that must stay free beside the case after a write. */
  reserveBytes: z.number().nonnegative(),
});
export type IntakeLimits = z.infer<typeof IntakeLimits>;

const GiB = 1024 ** 3;
export const DEFAULT_LIMITS: IntakeLimits = {
  maxLineChars: 1 << 20,
  maxRecordChars: 8 << 20,
  maxRatio: 200,
  maxFileBytes: 16 * GiB,
  maxBundleBytes: 64 * GiB,
  reserveBytes: 256 * 1024 ** 2,
};
/** Below this many decompressed bytes the ratio is not judged (tiny, very repetitive files compress well). */
export const RATIO_FLOOR_BYTES = 64 * 1024 ** 2;

const ENV: Record<keyof IntakeLimits, string> = {
  maxLineChars: 'CASEFILE_MAX_LINE_CHARS', maxRecordChars: 'CASEFILE_MAX_RECORD_CHARS', maxRatio: 'CASEFILE_MAX_RATIO',
  maxFileBytes: 'CASEFILE_MAX_FILE_BYTES', maxBundleBytes: 'CASEFILE_MAX_BUNDLE_BYTES', reserveBytes: 'CASEFILE_RESERVE_BYTES',
};

/** Defaults, overridden by the case's own settings, overridden by the environment. */
export function resolveLimits(fromCase: Record<string, number> = {}, env: NodeJS.ProcessEnv = process.env): IntakeLimits {
  const known = Object.fromEntries(Object.entries(fromCase).filter(([k]) => k in DEFAULT_LIMITS));
  const out: IntakeLimits = { ...DEFAULT_LIMITS, ...known };
  for (const [k, name] of Object.entries(ENV) as [keyof IntakeLimits, string][]) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new EngineError('invalid_input', `${name}=${v} is not a number of ${k === 'maxRatio' ? 'times' : 'bytes or characters'}.`);
    out[k] = n;
  }
  return IntakeLimits.parse(out);
}

export class LimitError extends EngineError {
  constructor(message: string) { super('invalid_input', message); }
}

// A cap set small (tests, a cautious operator) reads in its own unit, not as "0.0 MiB".
const human = (n: number) => (n >= GiB ? `${(n / GiB).toFixed(1)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB`
  : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`);
export { human as humanBytes };

/** Tracks one decompressing stream (or archive) against the ratio and size caps; throws LimitError past them. */
export class ExpansionMeter {
  expanded = 0;
  constructor(private readonly what: string, private readonly limits: IntakeLimits, private readonly bundle?: { expanded: number }) {}

  /** `compressed`: compressed bytes read so far; `n`: decompressed bytes just produced. */
  add(n: number, compressed: number): void {
    this.expanded += n;
    if (this.bundle) this.bundle.expanded += n;
    const l = this.limits;
    const hint = 'Raise the limit in the case\'s case.json ("limits") or the environment if this is genuine.';
    if (this.expanded > l.maxFileBytes) {
      throw new LimitError(`${this.what} expands beyond ${human(l.maxFileBytes)}: refused (maxFileBytes / CASEFILE_MAX_FILE_BYTES). ${hint}`);
    }
    if (this.bundle && this.bundle.expanded > l.maxBundleBytes) {
      throw new LimitError(`The bundle expands beyond ${human(l.maxBundleBytes)} (at ${this.what}): refused (maxBundleBytes / CASEFILE_MAX_BUNDLE_BYTES). ${hint}`);
    }
    if (l.maxRatio > 0 && this.expanded > RATIO_FLOOR_BYTES && this.expanded > l.maxRatio * Math.max(compressed, 1)) {
      throw new LimitError(`${this.what} expands more than ${l.maxRatio}:1 (${human(compressed)} became over ${human(this.expanded)}): refused as a decompression bomb (maxRatio / CASEFILE_MAX_RATIO). ${hint}`);
    }
  }
}

/** Refuses to write `bytes` more into dir when that would leave less than the reserve free. */
export async function ensureFreeSpace(dir: string, bytes: number, limits: IntakeLimits, what: string): Promise<void> {
  const st = await fs.statfs(dir).catch(() => null);
  if (!st) return; // a file system that cannot say: the write itself will fail cleanly
  const free = st.bavail * st.bsize;
  if (free - bytes < limits.reserveBytes) {
    throw new LimitError(`Not enough free disk for ${what}: it needs about ${human(bytes)} and ${human(free)} is free beside the case (keeping ${human(limits.reserveBytes)} spare). Free some space or move the case.`);
  }
}
