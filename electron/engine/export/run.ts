// One export: select → redact (worker pool, ~1 MiB batches, written in order) → JSONL/CSV/Parquet + report +
// manifest in a staging folder → fail-closed re-scan of everything written (Parquet read back) → encryption to the
// client's key (plaintext only when asked) → atomic rename to exports/<id>/. The re-identification map is
// encrypted to the operator's own key into redaction/<id>.map.pgp; K and the map never reach any other file.
import { counted } from '../../../shared/plural';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import type { RedactionRulesInput } from '../../../shared/redaction';
import { EngineError } from '../util/errors';
import { currentSignal, withSignal } from '../util/cancel';
import { auditHead } from '../audit/trail';
import type { CaseHandle } from '../case/caseStore';
import type { RowIn } from '../redact/batch';
import type { CleanClaim } from '../redact/cleanCells';
import type { DetectorOptions } from '../redact/detect';
import { Harvest } from '../redact/harvest';
import { RedactPool } from '../redact/pool';
import { type MapEntry, normalise } from '../redact/pseudonym';
import { type RescanHit, Rescanner } from '../redact/rescan';
import { GITLEAKS_SHA256, GITLEAKS_VERSION } from '../redact/rules/gitleaks.generated';
import { fsyncDir, mkdirPrivate, writeFileAtomic } from '../util/atomic';
import { processAlive } from '../util/process';
import type { PseudonymScope } from './clientKey';
import { CSV_FORMULA_NOTE } from '../../../shared/csvFormula';
import { FIELDS_NOTE } from '../../../shared/exportFields';
import { csvHeader, type ExportFormat, jsonlLines, jsonlToParquet, lineLayout, readBack } from './formats';
import { buildSelection, COLUMNS, OTHER_COLUMN_LIST, PAGE_ROWS, type Selection, selectingQuery, streamPages, TEXT_COLUMN_LIST } from './select';
import { hasTables } from '../store/db';

import { redactionSetupFor } from './setup';

export { redactionSetupFor };

export interface Recipient {
  /** Shown in the report and the audit entry. */
  fingerprint: string;
  encrypt(data: Uint8Array): Promise<string>;
}

/** The client: deliverables are encrypted as streams (an extract can be larger than memory). */
export interface ClientRecipient extends Recipient {
  encryptStream(data: ReadableStream<Uint8Array>): Promise<ReadableStream<string>>;
}

export interface ExportOptions {
  selection: Selection;
  format: ExportFormat;
  /** Rules file or case rules; the case's idPatterns are pseudonymised in any case. */
  rules?: RedactionRulesInput;
  /** The client's key; absent means plaintext, which the caller must have asked for explicitly. */
  recipient?: ClientRecipient | null;
  /** The operator's own key for the re-identification map; absent: the map is not kept (K is then gone for good). */
  operator?: Recipient | null;
  workers?: number;
  /** 'per-client' with the client's stored K (clientKey.ts); default 'per-export', a fresh random K. */
  pseudonymScope?: PseudonymScope;
  pseudonymKey?: Uint8Array;
  /** Site profiles whose rules are in `rules` (named in the report). */
  profiles?: string[];
  signal?: AbortSignal;
  /** `setup` (rows 0) before the values to replace everywhere are collected: on a large case that takes long before
   * the first batch; `step` and `words` say which of its steps it is in (a key, and what it does), and the other
   * phases' first reports have words too. */
  onProgress?: (p: { phase: 'setup' | 'redact' | 'check' | 'encrypt'; rows: number; total: number; step?: string; words?: string }) => void;
  /** The efficacy bench's look at the written extract (plaintext, in staging) and the re-scan's hits, before a blocked
   * export removes it or a passed one is encrypted: what a block stopped is measured too (testkit/redaction/product.ts). */
  onChecked?: (dataFile: string, hits: readonly RescanHit[]) => Promise<void>;
}

export interface ExportResult {
  exportId: string;
  dir: string;
  format: ExportFormat;
  events: number;
  byType: Record<string, number>;
  byRule: Record<string, number>;
  files: { name: string; sha256: string; bytes: number }[];
  encrypted: boolean;
  recipient: string | null;
  mapKept: boolean;
  pseudonymScope: PseudonymScope;
  /** The selection as the report names it, redacted like the data (what the exports' history shows). */
  selection: string;
  rules: { gitleaks: string; gitleaksSha256: string; clientSha256: string };
  /** Main-thread wall time per stage (ms; the pool redacts while pages are read, so waiting is what is counted). */
  stages: Record<ExportStage, number>;
  /** Bytes of the selected events' raw text (what MB/s of input is measured on). */
  inputBytes: number;
}

export type ExportStage = 'setup' | 'select' | 'redact' | 'write' | 'rescan' | 'encrypt';

export class ExportBlocked extends EngineError {
  /** The places the sentence names, as a list for the contract's error (shared/contract/errors.ts). */
  readonly places: string[];
  constructor(readonly hits: RescanHit[]) {
    const byCheck: Record<string, number> = {};
    for (const h of hits) byCheck[`${h.check}:${h.detail}`] = (byCheck[`${h.check}:${h.detail}`] ?? 0) + 1;
    const inDocuments = hits.some((h) => h.where === 'report.json' || h.where === 'manifest.json');
    const inEvents = hits.some((h) => h.where !== 'report.json' && h.where !== 'manifest.json');
    // what to do next: the operator never sees the value here, only where it is
    super('blocked', `Export blocked by the fail-closed check: ${counted(hits.length, 'hit')} (${Object.entries(byCheck).map(([k, n]) => `${k} ×${n}`).join(', ')}); `
      + `first at ${hits.slice(0, 5).map((h) => h.where).join(', ')}. Nothing was written.`
      + (inDocuments ? ' report.json and manifest.json name the selection: its --where, filter text or chain key holds a value the extract replaces; select those events without naming it (a time range, picked rows).' : '')
      + (inEvents ? ' Look at those events in the case and add a client rule (pattern, word list, host) that covers what is there, or leave them out of the selection; then export again.' : ''));
    this.places = hits.slice(0, 5).map((h) => h.where);
  }
}

const sha256 = (b: Uint8Array | string) => crypto.createHash('sha256').update(b).digest('hex');

/** sha256 and size of a file, streamed (an extract can be larger than memory allows in one buffer). */
async function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Where each redaction batch's lines are in the written file ([start, end) bytes), in order. */
type Ranges = { start: number; end: number }[];

/** The ranges when they cover the whole file, line batch after line batch from byte 0; else null (read it as lines). */
function tiling(ranges: Ranges, file: string): Ranges | null {
  let at = 0;
  for (const r of ranges) {
    if (r.start !== at || r.end < r.start) return null;
    at = r.end;
  }
  return at === fs.statSync(file).size ? ranges : null;
}

/**
 * The fail-closed check over the worker pool: the written file decoded row by row (streamed), batches of rows
 * scanned by every detector and for every replaced original, then the report and the manifest. Batches follow the
 * redaction's batches, each with its clean-cell claim (cells the same detectors already found nothing in are only
 * searched for originals, where the claim verifies: cleanCells.ts). Stops early after 1,000 hits (one is enough).
 */
async function rescan(pool: RedactPool, file: string, opts: ExportOptions, originals: ReadonlyMap<string, 'secret' | 'pii'>, harvest: Harvest,
  documents: [string, string], total: number, claims: readonly CleanClaim[], written: Ranges): Promise<RescanHit[]> {
  // the originals' search tables are built once here and shared by the workers (not built in each); the redaction's
  // workers turn into the re-scan's (same detectors, the key zeroed), so none is started and compiled twice
  await pool.rescanWith(Rescanner.tables(originals, harvest));
  const hits: RescanHit[] = [];
  const inFlight: Promise<RescanHit[]>[] = [];
  const drain = async () => { hits.push(...await inFlight.shift()!); };
  let checked = 0;
  let b = 0;
  /** Items in the redaction's batches (each with its claim), sent as they fill; false when enough hits are in. */
  const inBatches = async <T>(items: AsyncIterable<T>, send: (batch: T[], claim?: CleanClaim) => Promise<RescanHit[]>,
    size = () => claims[b]?.masks.length ?? 2000): Promise<boolean> => {
    let batch: T[] = [];
    for await (const item of items) {
      batch.push(item);
      if (batch.length < size()) continue;
      checked += claims[b]?.masks.length ?? batch.length;
      inFlight.push(send(batch, claims[b++]));
      batch = [];
      if (inFlight.length >= 4) await drain();
      opts.signal?.throwIfAborted();
      opts.onProgress?.({ phase: 'check', rows: checked, total });
      if (hits.length > 1000) return false;
    }
    inFlight.push(send(batch, claims[b]));
    return true;
  };
  const ranges = opts.format === 'jsonl' ? tiling(written, file) : null;
  const complete = ranges
    // JSONL written batch by batch: each worker reads and parses one batch's bytes itself (whole lines, checked
    // there); the ranges cover the file from its first byte to its size, so no byte goes unread
    ? await inBatches((async function* () { yield* ranges; })(), ([r], claim) => (r ? pool.scanRange(file, r.start, r.end, TEXT_COLUMN_LIST, claim) : Promise.resolve([])), () => 1)
    : opts.format === 'jsonl'
    // JSONL: the lines go to the workers as they are and are parsed there (this thread only reads the file)
    ? await inBatches(jsonlLines(file), (lines, claim) => pool.scanLines(lines, TEXT_COLUMN_LIST, claim))
    : await inBatches(readBack(file, opts.format), (rows, claim) => pool.scan(
      rows.map((row) => ({ id: `event ${row.id}`, cells: TEXT_COLUMN_LIST.map((c) => row[c] ?? null) })), TEXT_COLUMN_LIST, claim));
  if (!complete) return hits;
  inFlight.push(pool.scan([{ id: 'report.json', cells: [documents[0]] }, { id: 'manifest.json', cells: [documents[1]] }], []));
  while (inFlight.length) await drain();
  return hits;
}

/**
 * An export is written in `.staging-<exportId>@<host>@<pid>` until complete. One whose process is gone (a CLI export
 * stopped with Ctrl-C, a crash) holds a partial extract not yet re-scanned: the next open of the case for writing and
 * the next export remove it. Another live process's (a read-only instance beside the writer) and another host's (a
 * shared folder) are left alone.
 */
const STAGING = /^\.staging-[^@]+(?:@(.+)@(\d+))?$/;
const STALE_UNOWNED_MS = 3_600_000; // a staging folder of a version that did not name its process

export async function sweepStaging(exportsDir: string): Promise<void> {
  const host = os.hostname();
  for (const name of await fs.promises.readdir(exportsDir).catch(() => [] as string[])) {
    const m = STAGING.exec(name);
    if (!m) continue;
    const dir = path.join(exportsDir, name);
    const stale = m[1] !== undefined
      ? m[1] === host && Number(m[2]) !== process.pid && !processAlive(Number(m[2]))
      : Date.now() - ((await fs.promises.stat(dir).catch(() => null))?.mtimeMs ?? Date.now()) > STALE_UNOWNED_MS;
    if (stale) await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Refuses to write into a case whose folder is gone (deleted, moved or unmounted while the case was open): making
 * exports/ would make the case folder again, holding only an extract and no case.
 */
export async function requireCaseFolder(caseDir: string): Promise<void> {
  if (!(await fs.promises.stat(caseDir).catch(() => null))?.isDirectory()) {
    throw new EngineError('not_found', `The case folder ${caseDir} is gone (deleted, moved or unmounted): nothing was exported. Close the case, and open it again where it is now.`);
  }
}

/** Why an export wrote nothing because it selected nothing; thrown with the code `nothing_selected`, which the CLI's exit
 * code and the export dialog key on. */
export const NOTHING_SELECTED = {
  chain: 'No chain of that key in this case: nothing was exported.',
  events: 'The selection holds no events: nothing was exported.',
} as const;

export async function runExport(h: CaseHandle, opts: ExportOptions): Promise<ExportResult> {
  const exportId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${crypto.randomBytes(4).toString('hex')}`;
  const exportsDir = h.files.exports;
  await requireCaseFolder(h.dir);
  await mkdirPrivate(exportsDir);
  await sweepStaging(exportsDir);
  const staging = path.join(exportsDir, `.staging-${exportId}@${os.hostname()}@${process.pid}`);
  await mkdirPrivate(staging);
  if ((opts.pseudonymScope === 'per-client') !== !!opts.pseudonymKey) throw new EngineError('invalid_input', 'A per-client export needs the client\'s pseudonym key (and only it does).');
  const key = opts.pseudonymKey ? Buffer.from(opts.pseudonymKey) : crypto.randomBytes(32);
  const stages: Record<ExportStage, number> = { setup: 0, select: 0, redact: 0, write: 0, rescan: 0, encrypt: 0 };
  let mark = performance.now();
  /** Charges the time since the last mark to a stage. */
  const lap = (stage: ExportStage) => {
    const now = performance.now();
    stages[stage] += now - mark;
    mark = now;
  };
  let inputBytes = 0;
  let pool: RedactPool | null = null;
  try {
    const sel = await buildSelection(h.db, opts.selection);
    const [{ n: totalRaw } = { n: 0 }] = await h.db.read<{ n: number | string }>(`SELECT count(*) AS n FROM events s WHERE ${sel.cond}`, sel.params.values);
    const total = Number(totalRaw);
    // An empty extract reads as a delivered one: a mistyped chain key or a range outside the case is said instead.
    // The message names no value of the selection (it is recorded in the trail; the selection is hashed there).
    if (total === 0) {
      const chain = opts.selection.chain !== undefined && !(await hasTables(h.db, ['chains'], true)
        && (await h.db.read('SELECT 1 FROM chains WHERE key = $key LIMIT 1', { key: opts.selection.chain })).length);
      throw new EngineError('nothing_selected', chain ? NOTHING_SELECTED.chain : NOTHING_SELECTED.events);
    }
    const setupStep = (step: string, words: string) => opts.onProgress?.({ phase: 'setup', rows: 0, total, step, words });
    setupStep('rules', 'reading the redaction rules');
    // under the job's signal: a cancel interrupts the setup's statements (tens of seconds on a 1 GB case), not after them
    const setup = await withSignal(opts.signal ?? currentSignal(), () => redactionSetupFor(h, opts.rules, sel, setupStep));
    opts.signal?.throwIfAborted();
    setupStep('workers', `starting the redaction workers (${setup.harvest.length.toLocaleString('en')} values to replace everywhere)`);
    // the harvest matcher is built once here and shared by every worker; this thread runs no detector (the selection's
    // own texts are redacted by the workers too), so it never compiles the rule set
    const harvest = new Harvest(setup.harvest);
    const detectorOptions: DetectorOptions = { rules: setup.rules, idPatterns: setup.idPatterns, harvest: setup.harvest, harvestMatcher: harvest.matcherData() };

    // 1. redact, in order, through the pool
    const dataName = `events.${opts.format === 'parquet' ? 'jsonl.tmp' : opts.format}`;
    const dataFile = path.join(staging, dataName);
    const out = fs.openSync(dataFile, 'wx', 0o600);
    let at = opts.format === 'csv' ? fs.writeSync(out, csvHeader()) : 0;
    // one pool for the redaction and then the re-scan (rescanWith); closed in the end whatever happens
    // no more workers than batches: each starts in about a CPU-second (modules, the rule set), which a ten-row
    // extract would otherwise pay again for a worker that never gets a batch
    const workers = new RedactPool({ detectors: detectorOptions, key }, Math.min(opts.workers ?? os.availableParallelism(), Math.max(1, Math.ceil(total / PAGE_ROWS))));
    pool = workers;
    const byType = new Map<string, number>();
    const byRule = new Map<string, number>();
    const originals = new Map<string, 'secret' | 'pii'>();
    const map = new Map<string, MapEntry>();
    const claims: CleanClaim[] = [];
    const written: Ranges = [];
    const layout = lineLayout(opts.format);
    let selection: string[] = [];
    let rows = 0;
    try {
      await workers.ready;
      lap('setup');
      const inFlight: { rows: number; result: ReturnType<RedactPool['run']> }[] = [];
      const drain = async () => {
        const { rows: n, result } = inFlight.shift()!;
        const r = await result;
        lap('redact');
        // the worker wrote the rows (lines.ts); where they land is kept for the re-scan's workers to read them back
        for (let done = 0; done < r.chunk!.length;) done += fs.writeSync(out, r.chunk!, done);
        written.push({ start: at, end: at + r.chunk!.length });
        at += r.chunk!.length;
        claims.push(r.clean);
        for (const [t, n] of r.byType) byType.set(t, (byType.get(t) ?? 0) + n);
        for (const [t, n] of r.byRule) byRule.set(t, (byRule.get(t) ?? 0) + n);
        for (const [v, kind] of r.originals) if (originals.get(v) !== 'secret') originals.set(v, kind);
        for (const e of r.map) {
          const known = map.get(e.token);
          // workers share K, so one value gets one token everywhere; two values on one token is a 50-bit collision
          if (known && normalise(known.type, known.original) !== normalise(e.type, e.original)) {
            throw new EngineError('internal', 'Two values drew the same pseudonym (a 1 in 10^15 event): run the export again.');
          }
          if (!known) map.set(e.token, e);
        }
        rows += n;
        opts.onProgress?.({ phase: 'redact', rows, total });
        lap('write');
      };
      await withSignal(opts.signal ?? currentSignal(), () => streamPages(h.db, sel, async (page) => {
        lap('select');
        opts.signal?.throwIfAborted();
        for (const row of page) inputBytes += row.raw === null ? 0 : Buffer.byteLength(String(row.raw));
        const batch: RowIn[] = page.map((row) => ({
          id: String(row.id), cells: TEXT_COLUMN_LIST.map((c) => (row[c] === null ? null : String(row[c]))), others: OTHER_COLUMN_LIST.map((c) => row[c]),
        }));
        inFlight.push({ rows: page.length, result: workers.run(batch, layout) });
        if (inFlight.length >= 4) await drain();
        mark = performance.now(); // the next page's read is 'select'
      }));
      lap('select');
      while (inFlight.length) await drain();
      // the selection as the report and manifest name it (its description, the query, each value), redacted like the
      // data with the same key; its counts and map entries are not the data's, its originals are searched for too
      const texts = [sel.describe, selectingQuery(sel), ...sel.params.values.map((v) => String(v))];
      const q = await workers.run([{ id: 'selection', cells: texts }]);
      selection = q.rows[0]!.map((c) => c ?? '');
      for (const [v, kind] of q.originals) if (originals.get(v) !== 'secret') originals.set(v, kind);
      lap('redact');
    } finally {
      fs.fsyncSync(out);
      fs.closeSync(out);
    }
    opts.signal?.throwIfAborted();

    let finalData = dataFile;
    if (opts.format === 'parquet') {
      finalData = path.join(staging, 'events.parquet');
      await jsonlToParquet(dataFile, finalData);
      fs.rmSync(dataFile);
    }
    lap('write');

    // 2. report and manifest (the selecting query redacted like the data, above)
    const [describe, query, ...queryParams] = selection;
    const report = {
      format: 'casefile/export-report@1', exportId, createdAt: new Date().toISOString(), dataFormat: opts.format, events: rows,
      selection: describe,
      // as rows, not objects: type names like "secret" or "url-password" must not read as keys with values
      replacements: {
        byType: [...byType].map(([type, count]) => ({ type, count })),
        byRule: [...byRule].map(([rule, count]) => ({ rule, count })),
      },
      rules: { gitleaks: GITLEAKS_VERSION, gitleaksSha256: GITLEAKS_SHA256, clientSha256: setup.rulesSha256 },
      settings: { pseudonymScope: opts.pseudonymScope ?? 'per-export', pseudonymLength: 10, harvestedValues: setup.harvest.length, profiles: opts.profiles ?? [], columns: [...COLUMNS],
        // so the client knows why fields is empty on JSON records (select.ts FIELDS_UNLESS_RAW)
        fieldsWhereRaw: FIELDS_NOTE,
        // so the client knows why a CSV cell starts with ' (shared/csvFormula.ts)
        ...(opts.format === 'csv' ? { csvFormulaCells: CSV_FORMULA_NOTE } : {}) },
      encryptedTo: opts.recipient?.fingerprint ?? null,
      mapKept: !!opts.operator,
    };
    const reportText = JSON.stringify(report, null, 2) + '\n';
    await writeFileAtomic(path.join(staging, 'report.json'), reportText);
    const dataHash = await sha256File(finalData);
    const head = await auditHead(h.files.audit);
    const manifest = {
      format: 'casefile/export-manifest@1', exportId,
      files: [{ name: path.basename(finalData), sha256: dataHash.sha256, bytes: dataHash.bytes }, { name: 'report.json', sha256: sha256(reportText), bytes: Buffer.byteLength(reportText) }],
      auditHead: head?.hash ?? null,
      query,
      queryParams,
    };
    const manifestText = JSON.stringify(manifest, null, 2) + '\n';
    await writeFileAtomic(path.join(staging, 'manifest.json'), manifestText);
    lap('write');

    // 3. fail-closed: decode what was written, re-run every detector, look for every replaced original
    opts.onProgress?.({ phase: 'check', rows: 0, total: rows, words: 'checking the written extract for anything left (fail-closed)' });
    const hits = await rescan(workers, finalData, opts, originals, harvest, [reportText, manifestText], rows, claims, written);
    pool = null;
    await workers.close();
    await opts.onChecked?.(finalData, hits);
    if (hits.length) throw new ExportBlocked(hits);
    lap('rescan');

    // 4. encrypt to the client (default) and keep the map for the operator
    const deliverable = [path.basename(finalData), 'report.json', 'manifest.json'];
    const files: ExportResult['files'] = [];
    for (const name of deliverable) {
      const p = path.join(staging, name);
      if (opts.recipient) {
        opts.onProgress?.({ phase: 'encrypt', rows, total: rows, words: `encrypting ${name} to the client's key` });
        // streamed end to end: file → OpenPGP → armored temp file (fsync, rename); memory stays at a few chunks
        const armored = await opts.recipient.encryptStream(Readable.toWeb(fs.createReadStream(p)) as ReadableStream<Uint8Array>);
        await writeFileAtomic(`${p}.pgp`, Readable.fromWeb(armored as NodeWebStream<string>));
        fs.rmSync(p);
        files.push({ name: `${name}.pgp`, ...await sha256File(`${p}.pgp`) });
      } else {
        files.push({ name, ...await sha256File(p) });
      }
    }
    // the folder may have gone while the extract was written (into staging, under it): still never made again
    await requireCaseFolder(h.dir);
    if (opts.operator) {
      await mkdirPrivate(h.files.redaction);
      const body = JSON.stringify({ exportId, key: key.toString('base64'), entries: [...map.values()] });
      await writeFileAtomic(h.files.exportMap(exportId), await opts.operator.encrypt(Buffer.from(body)));
    }
    const dir = path.join(exportsDir, exportId);
    fs.renameSync(staging, dir);
    await fsyncDir(exportsDir);
    lap('encrypt');
    return {
      exportId, dir, format: opts.format, events: rows, byType: Object.fromEntries(byType), byRule: Object.fromEntries(byRule), files,
      encrypted: !!opts.recipient, recipient: opts.recipient?.fingerprint ?? null, mapKept: !!opts.operator, selection: report.selection ?? '', rules: report.rules,
      pseudonymScope: opts.pseudonymScope ?? 'per-export', stages, inputBytes,
    };
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    await pool?.close();
    key.fill(0);
  }
}
