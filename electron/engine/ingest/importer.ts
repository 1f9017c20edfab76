// The import: evidence into bundles, each file's format detected, the site timezone inferred, every record parsed
// into event_store. One transaction per file: a file is either wholly in the case or not at all, so an import
// killed midway leaves a readable case and a re-run picks up exactly the files that are missing.
import path from 'node:path';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FileImportResult, ImportProgress, ImportResult, TimeZoneRule } from '../../../shared/domain';
import type { CaseHandle } from '../case/caseStore';
import { CaseError } from '../case/caseStore';
import type { CaseDb } from '../store/db';
import { fileRowsDigest } from '../store/digest';
import type { FormatDefinition } from '../formats/types';
import { detectFormat, headerRegex, type FormatOverride } from './detect';
import { isGzipPath, readRecords, type StartsRecord } from './records';
import { stageBundles, MANIFEST, type StagedBundle } from './bundle';
import { inferZone, inlineOffset, isValidZone, naiveAsUtcMs, type OffsetSample } from './timezone';
import { transformSql } from './transform';

export interface ImportHooks {
  /** Runs inside a file's transaction after its events are in (identifier extraction). */
  afterFile?: (db: CaseDb, fileId: number) => Promise<void>;
  /** Runs once after all files (chain building). */
  afterImport?: (db: CaseDb) => Promise<void>;
  /** Audit of each file imported (chain of custody). */
  auditFile?: (params: { bundle: string; path: string; sha256: string; format: string; records: number; rowsDigest: string }) => Promise<void>;
}

export interface ImportOptions {
  formatOverrides?: FormatOverride[];
  timezone?: string;
  jobId?: string;
  onProgress?: (p: ImportProgress) => void;
  hooks?: ImportHooks;
}

interface PlannedFile { bundle: StagedBundle; rel: string; abs: string; size: number; sha256: string; format: FormatDefinition; reason: string; head: string[] }

const HEAD_BYTES = 64 * 1024;

/** The first lines of a file (decompressed), for detection and timezone evidence. */
async function readHead(file: string, maxBytes = HEAD_BYTES): Promise<string[]> {
  const chunks: Buffer[] = [];
  let n = 0;
  const src = createReadStream(file, { highWaterMark: 16 * 1024 });
  const stream = isGzipPath(file) ? src.pipe(createGunzip()) : src;
  try {
    for await (const c of stream) {
      chunks.push(c as Buffer);
      n += (c as Buffer).length;
      if (n >= maxBytes) break;
    }
  } catch { /* truncated or not gzip: what we have is the head */ } finally { src.destroy(); }
  const lines = Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8').split('\n');
  if (n >= maxBytes) lines.pop(); // last line may be cut by the byte limit
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function startsRecordFor(def: FormatDefinition): StartsRecord {
  if (def.kind === 'raw') return 'every-line';
  if (def.kind === 'json') return (l) => l.trim() !== '';
  const re = headerRegex(def)!;
  return (l) => re.test(l);
}

/** Evidence for the site timezone from the heads of the files about to be imported. */
function timezoneEvidence(files: PlannedFile[]): { pair: OffsetSample[]; offset: OffsetSample[] } {
  const pair: OffsetSample[] = [];
  const offset: OffsetSample[] = [];
  for (const f of files) {
    const ev = f.format.tzEvidence;
    if (!ev) continue;
    for (const line of f.head.slice(0, 300)) {
      if (ev.kind === 'pair' && f.format.kind === 'json') {
        let o: Record<string, unknown>;
        try { o = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
        const local = typeof o[ev.local] === 'string' ? naiveAsUtcMs(o[ev.local] as string) : null;
        const epoch = Number(o[ev.epoch]);
        if (local === null || !Number.isFinite(epoch)) continue;
        const minutes = Math.round((local - epoch * 1000) / 60000 / 15) * 15; // zones move in quarter hours
        pair.push({ at: epoch * 1000, offset: minutes, file: f.rel });
      } else if (ev.kind === 'offset') {
        const stamp = f.format.kind === 'json' ? jsonStamp(line, f.format.time.fields) : textStamp(line, f.format);
        if (!stamp) continue;
        const off = inlineOffset(stamp);
        const local = naiveAsUtcMs(stamp);
        if (off === null || local === null) continue;
        offset.push({ at: local - off * 60000, offset: off, file: f.rel });
      }
    }
  }
  return { pair, offset };
}

function jsonStamp(line: string, fields: string[]): string | null {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    for (const k of fields) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  } catch { /* not JSON */ }
  return null;
}

function textStamp(line: string, def: FormatDefinition): string | null {
  if (!def.pattern) return null;
  const m = new RegExp(def.pattern.regex, 's').exec(line);
  const i = def.pattern.groups.indexOf(def.time.fields[0] ?? '');
  return m && i >= 0 ? (m[i + 1] ?? null) : null;
}

function describeRule(def: FormatDefinition, zone: TimeZoneRule): string {
  const parts: string[] = [];
  if (def.time.epoch?.length) parts.push(`epoch field ${def.time.epoch.join('/')} (absolute)`);
  if (def.time.inline?.length) parts.push('offset written in the stamp');
  if (def.time.naive?.length) parts.push(`naive stamps in site zone ${zone.zone} (${zone.how})`);
  return parts.length ? parts.join(', else ') : 'no timestamps: placed in file order';
}

async function stageFile(conn: DuckDBConnection, file: string, def: FormatDefinition, onBytes: (n: number) => void) {
  await conn.run('CREATE TEMP TABLE IF NOT EXISTS stage (line INTEGER, line_count INTEGER, raw VARCHAR)');
  await conn.run('DELETE FROM stage');
  const app = await conn.createAppender('stage', 'main', 'temp');
  let records = 0;
  try {
    const stats = await readRecords(file, startsRecordFor(def), (line, count, text) => {
      app.appendInteger(line);
      app.appendInteger(count);
      app.appendVarchar(text);
      app.endRow();
      records++;
    }, onBytes);
    app.flushSync();
    return { stats, records };
  } finally {
    app.closeSync();
  }
}

function fileNote(stats: Awaited<ReturnType<typeof stageFile>>['stats'], size: number): string | undefined {
  const notes: string[] = [];
  if (size === 0) notes.push('empty file');
  if (stats.truncatedGzip) notes.push('gzip stream is truncated: kept what decompressed before the cut');
  if (stats.badUtf8Lines) notes.push(`${stats.badUtf8Lines} line(s) with bytes that are not UTF-8 (shown as U+FFFD; exact bytes kept in the bundle)`);
  if (stats.nulLines) notes.push(`${stats.nulLines} line(s) with NUL bytes (shown as \u2400)`);
  if (stats.lastLineTorn) notes.push('last line has no newline (torn write?)');
  return notes.length ? notes.join('; ') : undefined;
}

export async function importPaths(handle: CaseHandle, inputs: string[], opts: ImportOptions = {}): Promise<ImportResult> {
  const started = performance.now();
  const jobId = opts.jobId ?? `import-${Date.now()}`;
  if (handle.readOnly) throw new CaseError('read_only', handle.readOnlyReason ?? 'This case is read-only.');
  const progress = (p: Omit<ImportProgress, 'jobId'>) => opts.onProgress?.({ jobId, ...p });

  // Remember operator overrides with the case so re-imports and other files of the same shape agree.
  const overrides = [...(opts.formatOverrides ?? []), ...handle.meta.formatOverrides];
  if (opts.formatOverrides?.length) {
    const known = new Set(handle.meta.formatOverrides.map((o) => `${o.format}=${o.glob}`));
    const added = opts.formatOverrides.filter((o) => !known.has(`${o.format}=${o.glob}`));
    if (added.length) await handle.saveMeta({ formatOverrides: [...handle.meta.formatOverrides, ...added] });
  }
  if (opts.timezone) {
    if (!isValidZone(opts.timezone)) throw new CaseError('invalid_input', `Unknown timezone "${opts.timezone}": use an IANA name such as Asia/Kolkata or an offset such as +05:30.`);
    await handle.saveMeta({ timezone: { zone: opts.timezone, how: 'operator', evidence: 'set by the operator (--tz)' } });
  }

  progress({ phase: 'copy', filesDone: 0, filesTotal: inputs.length, bytesDone: 0, bytesTotal: 0, message: 'copying evidence into the case' });
  const bundles = await stageBundles(handle.files.bundles, inputs);

  const planned: PlannedFile[] = [];
  for (const b of bundles) {
    for (const f of b.manifest.files) {
      if (f.path === MANIFEST) continue;
      const abs = path.join(b.dir, f.path);
      const head = await readHead(abs);
      const d = detectFormat(f.path, head, overrides);
      planned.push({ bundle: b, rel: f.path, abs, size: f.size, sha256: f.sha256, format: d.format, reason: d.reason, head });
    }
  }
  const bytesTotal = planned.reduce((n, f) => n + f.size, 0);
  progress({ phase: 'detect', filesDone: 0, filesTotal: planned.length, bytesDone: 0, bytesTotal });

  // Site timezone: the operator's word stands; otherwise the strongest evidence in this import decides.
  if (handle.meta.timezone.how !== 'operator') {
    const ev = timezoneEvidence(planned);
    const inferred = inferZone(ev.pair, 'pair') ?? inferZone(ev.offset, 'offset');
    if (inferred && (inferred.rule.zone !== handle.meta.timezone.zone || handle.meta.timezone.how === 'default')) {
      await handle.saveMeta({ timezone: inferred.rule });
    }
  }
  const zone = handle.meta.timezone;

  const results: FileImportResult[] = [];
  await handle.withWriter(async (db) => {
    for (const b of bundles) {
      await db.run(`INSERT INTO bundles VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT DO NOTHING`,
        [b.id, path.basename(b.manifest.origin.inputs[0] ?? b.id), b.manifest.origin.kind, b.manifest.files.length, b.bytes]);
    }
    let bytesDone = 0;
    let filesDone = 0;
    for (const f of planned) {
      const done = await db.one<Record<string, unknown>>(
        `SELECT file_id, format, reason, lines, records, ok, malformed, unparsed, untimed, tz_rule, note,
                strftime(min_ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS min_ts, strftime(max_ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS max_ts
         FROM files WHERE bundle = $1 AND path = $2`, [f.bundle.id, f.rel]);
      if (done) {
        results.push(fileResult(f, done, true));
      } else {
        progress({ phase: 'parse', file: f.rel, filesDone, filesTotal: planned.length, bytesDone, bytesTotal });
        results.push(await importFile(db, f, zone, opts.hooks, (n) =>
          progress({ phase: 'parse', file: f.rel, filesDone, filesTotal: planned.length, bytesDone: bytesDone + Math.min(n, f.size), bytesTotal })));
      }
      bytesDone += f.size;
      filesDone++;
    }
    progress({ phase: 'index', filesDone, filesTotal: planned.length, bytesDone, bytesTotal, message: 'linking identifiers' });
    await opts.hooks?.afterImport?.(db);
  });
  progress({ phase: 'done', filesDone: planned.length, filesTotal: planned.length, bytesDone: bytesTotal, bytesTotal });
  return {
    bundles: bundles.map((b) => ({ id: b.id, files: b.manifest.files.length, bytes: b.bytes, reused: b.reused })),
    files: results,
    timezone: zone,
    seconds: (performance.now() - started) / 1000,
  };
}

function fileResult(f: PlannedFile, row: Record<string, unknown>, skipped: boolean): FileImportResult {
  return {
    file: f.rel, bundle: f.bundle.id, format: String(row.format), reason: String(row.reason),
    records: Number(row.records), lines: Number(row.lines), ok: Number(row.ok), malformed: Number(row.malformed),
    unparsed: Number(row.unparsed), untimed: Number(row.untimed), tzRule: String(row.tz_rule),
    from: (row.min_ts as string | null) ?? null, to: (row.max_ts as string | null) ?? null, skipped,
    ...(row.note ? { note: String(row.note) } : {}),
  };
}

async function importFile(db: CaseDb, f: PlannedFile, zone: TimeZoneRule, hooks: ImportHooks | undefined, onBytes: (n: number) => void): Promise<FileImportResult> {
  const ids = await db.one<{ file_id: number; base: string }>(
    `SELECT coalesce(max(file_id), 0) + 1 AS file_id, (coalesce(max(last_id), 0) + 1)::VARCHAR AS base FROM files`);
  const fileId = Number(ids!.file_id);
  const baseId = Number(ids!.base);
  const { stats } = await stageFile(db.conn, f.abs, f.format, onBytes);
  const tzRule = describeRule(f.format, zone);
  const note = fileNote(stats, f.size);
  const { row, digest } = await db.tx(async () => {
    await db.run(transformSql(f.format, { fileId, baseId, source: f.format.id, zone: zone.zone }));
    await hooks?.afterFile?.(db, fileId);
    const s = await db.one<Record<string, unknown>>(
      `SELECT count(*) AS records, count_if(parse_status = 'ok') AS ok, count_if(parse_status = 'malformed') AS malformed,
              count_if(parse_status = 'unparsed') AS unparsed, count_if(ts_flag IN ('inherited', 'none')) AS untimed,
              min(ts) AS min_ts, max(ts) AS max_ts
       FROM event_store WHERE file_id = $1`, [fileId]);
    const digest = await fileRowsDigest(db, fileId);
    await db.run(
      `INSERT INTO files VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
         $16::TIMESTAMPTZ, $17::TIMESTAMPTZ, $18, $19, $20, $21, now())`,
      [fileId, f.bundle.id, f.rel, f.sha256, f.size, f.format.id, f.reason, zone.zone, tzRule,
        stats.lines, Number(s!.records), Number(s!.ok), Number(s!.malformed), Number(s!.unparsed), Number(s!.untimed),
        (s!.min_ts as string | null) ?? null, (s!.max_ts as string | null) ?? null, baseId, baseId + stats.lines, digest.digest, note ?? null]);
    const written = await db.one<Record<string, unknown>>(
      `SELECT format, reason, lines, records, ok, malformed, unparsed, untimed, tz_rule, note,
              strftime(min_ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS min_ts, strftime(max_ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS max_ts
       FROM files WHERE file_id = $1`, [fileId]);
    return { row: written!, digest };
  });
  await db.run('DELETE FROM stage');
  const result = fileResult(f, row, false);
  await hooks?.auditFile?.({ bundle: f.bundle.id, path: f.rel, sha256: f.sha256, format: f.format.id, records: result.records, rowsDigest: digest.digest });
  return result;
}
