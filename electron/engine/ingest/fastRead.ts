// The fast reader: files that scan clean (scan.ts) are read by DuckDB's own line reader, many files in one statement,
// and their multi-line records grouped in SQL, into the same `stage` table the JavaScript reader (records.ts) fills.
// It must give exactly what the JavaScript reader gives: every file that could differ (bad bytes, NUL, lone CR,
// UTF-16, a damaged gzip stream, lines near the limits) is left to the JavaScript reader by `fastPathEligible`, and
// every file read here is checked line for line against its scan. A .gz file is scanned decompressed (scanGzip); a
// file with a few lines that are not UTF-8 is read from a repaired copy (repair.ts).
import type { FormatDefinition } from '../formats/types';
import { sqlString, type CaseDb } from '../store/db';
import { EngineError } from '../util/errors';
import { cutGroups } from '../util/cutGroups';
import type { IntakeLimits } from './limits';
import { isGzipPath } from './records';
import type { FileScan } from './scan';

/** DuckDB's line reader refuses lines past its max_line_size (2 MiB by default); longer ones stay with JavaScript. */
const DUCKDB_LINE_BYTES = 2_000_000;
/** The longest line DuckDB's reader may take. */
export const fastLineBytes = (limits: IntakeLimits) => Math.min(limits.maxLineChars, DUCKDB_LINE_BYTES);
/** Characters that read_csv would take as a glob in a file name. */
const GLOB = /[*?[\]{}\\]/;

export interface FastCandidate {
  abs: string;
  size: number;
  /** A pulled file read from the middle (it continues an earlier copy). */
  startByte?: number;
  /** Wrapped in an envelope (a container or journal line prefix): unwrapped by the JavaScript reader. */
  envelope?: unknown;
}

export type Eligibility = { ok: true } | { ok: false; why: string };

/**
 * Whether DuckDB may read this file instead of the JavaScript reader: the one place that decides, so the readers of
 * other envelopes (compressed, UTF-16, wrapped lines) only add a rule here.
 */
export function fastPathEligible(file: FastCandidate, scan: FileScan | undefined, def: FormatDefinition, limits: IntakeLimits): Eligibility {
  const no = (why: string): Eligibility => ({ ok: false, why });
  if (!scan) return no('not scanned');
  // A .gz file's scan is of its decompressed text (scanGzip); one that did not decompress whole has none.
  if (isGzipPath(file.abs) !== (scan.compressedBytes !== undefined)) return no('compressed, not scanned decompressed');
  if (file.size === 0 || (scan.compressedBytes ?? scan.bytes) !== file.size || scan.bytes === 0) return no('empty, or changed since it was scanned');
  if (file.startByte) return no('read from the middle');
  if (file.envelope) return no('wrapped in an envelope');
  if (GLOB.test(file.abs)) return no('name has glob characters');
  if (!scan.utf8 || scan.nul || scan.unitSeparator) return no('bytes that need the tolerant reader');
  if (scan.bom === 'utf16' || (scan.bom === 'utf8' && scan.bytes <= 3)) return no('UTF-16 or a bare byte order mark');
  if (scan.newline === 'mixed') return no('lone CR or mixed line ends');
  if (scan.longestLine > fastLineBytes(limits)) return no('a line near the length limit');
  // One-line records: the JavaScript reader judges a record's size with the line after it (records.ts), so two
  // lines must fit. Multi-line records are checked after grouping (stageFast).
  if (!multiLine(def, [scan]) && 2 * scan.longestLine + 1 > limits.maxRecordChars) return no('a record near the size limit');
  if (def.kind === 'text' && !def.recordStart) return no('no record start pattern');
  // Grouping runs window functions over the batch's lines, which DuckDB holds in memory: a file larger than a batch
  // would not fit the writer's memory limit (a 1.5 GB Celery log did not at 640 MB). The streaming reader groups it.
  if (multiLine(def, [scan]) && scan.bytes > FAST_GROUP_MAX_BYTES) return no('multi-line records in a file larger than a batch');
  return { ok: true };
}

/** The largest file whose multi-line records the DuckDB reader groups (the auto reader's batch size). */
export const FAST_GROUP_MAX_BYTES = 256 * 1024 * 1024;

/** Do records of this format span lines in these files? JSON records do only where a blank or indented line follows. */
function multiLine(def: FormatDefinition, scans: FileScan[]): boolean {
  if (def.kind === 'raw') return false;
  if (def.kind === 'json' && !def.recordStart) return scans.some((s) => s.blankOrIndented);
  return true;
}

/** JavaScript's String.prototype.trim() whitespace, for a JSON line that starts with a space or is blank. */
const JS_SPACE = '[\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]*';

/** SQL: does `line` start a record (records.ts `startsRecordFor`)? */
function startsSql(def: FormatDefinition): string {
  // A JSON format with a record start (pretty-printed objects) groups lines like a text format.
  if (def.kind === 'json' && !def.recordStart) return `(line <> '' AND (ascii(line) > 32 OR NOT regexp_full_match(line, ${sqlString(JS_SPACE)})))`;
  return `regexp_matches(line, ${sqlString(def.recordStart!)})`;
}

/** Files per read_csv statement (its memory grows with the list; 500 files took well under 256 MB). */
const READ_CSV_FILES = 500;
/**
 * Files up to this size are read whole (read_text) and split into lines in SQL: read_csv's cost per file is many
 * times a small file's reading (the 1 GB tree's 6,790 pipeline logs of 22 KB: 1.4 CPU seconds, split: 0.5).
 */
const WHOLE_FILE_BYTES = 1024 * 1024;
/** CASEFILE_WHOLE_FILE_BYTES: another bound (tests: 0 sends every file to read_csv, a small one mixes both readers). */
const wholeFileBytes = () => (process.env.CASEFILE_WHOLE_FILE_BYTES ? Number(process.env.CASEFILE_WHOLE_FILE_BYTES) : WHOLE_FILE_BYTES);
/**
 * A file more than this many times the whole-file bound (16 MB) is read by a read_csv statement of its own: a
 * statement's fixed cost is then small beside its reading, which a shared statement's join on the file name is not.
 */
const ALONE_FACTOR = 16;
/** Bytes per read_text statement: a file's text is held whole while it is split. */
const WHOLE_STATEMENT_BYTES = 32 * 1024 * 1024;

export interface FastFile { fileId: number; abs: string; scan: FileScan }

/**
 * Stages the records of `files` (all of format `def`) into `stage`. Returns the files the JavaScript reader must read
 * after all (DuckDB refused them, or a record is near the size limit); their rows are not in `stage`.
 */
export async function stageFast(db: CaseDb, def: FormatDefinition, files: FastFile[], limits: IntakeLimits): Promise<FastFile[]> {
  const back: FastFile[] = [];
  // read_csv takes one line end and one compression per statement.
  for (const newline of ['lf', 'crlf'] as const) {
    for (const gzip of [false, true]) {
      const group = files.filter((f) => f.scan.newline === newline && (f.scan.compressedBytes !== undefined) === gzip);
      if (group.length) back.push(...await stageGroup(db, def, group, newline, gzip, limits));
    }
  }
  return back;
}

/** Statements of at most `maxFiles` files and `maxBytes` bytes (a larger file alone). */
const chunks = (files: FastFile[], maxFiles: number, maxBytes: number) => cutGroups(files, maxFiles, maxBytes, (f) => f.scan.bytes);

async function stageGroup(db: CaseDb, def: FormatDefinition, files: FastFile[], newline: 'lf' | 'crlf', gzip: boolean, limits: IntakeLimits): Promise<FastFile[]> {
  const single = !multiLine(def, files.map((f) => f.scan));
  // Small plain files without a byte order mark are read whole (read_text keeps a BOM, read_csv drops it). Large
  // files of one-line records are read by read_csv one to a statement, numbered as they are read; the rest share
  // read_csv statements. Numbered lines go into stage itself when every record is one line, else (whole files) into
  // fast_text to be grouped with the shared statements' lines.
  const bound = wholeFileBytes();
  const whole = new Set(gzip ? [] : files.filter((f) => f.scan.bom === null && f.scan.bytes <= bound));
  // Not for multi-line records: their lines are joined to the grouping's numbers (fast_k) in any case, and numbered
  // into fast_text the 150 MB Celery log took 8-10 % more CPU than through fast_lines.
  const alone = single ? files.filter((f) => !whole.has(f) && f.scan.bytes > ALONE_FACTOR * bound) : [];
  const shared = files.filter((f) => !whole.has(f) && !alone.includes(f));
  const wholeFiles = files.filter((f) => whole.has(f));
  const numbered = new Set([...alone, ...wholeFiles]);
  // A line's place r: a shared statement's lines are its rowid in fast_lines (its files first, in order); a numbered
  // file's lines follow them.
  await db.freshTemp('fast_files', 'file_id INTEGER, path VARCHAR, start BIGINT, lines BIGINT, numbered BOOLEAN, torn BOOLEAN');
  let start = 0;
  const rows = [...shared, ...alone, ...wholeFiles].map((f) => {
    const r = `(${f.fileId}, ${sqlString(f.abs)}, ${start}, ${f.scan.lines}, ${numbered.has(f)}, ${f.scan.torn})`;
    start += f.scan.lines;
    return r;
  });
  for (let i = 0; i < rows.length; i += 1000) await db.run(`INSERT INTO fast_files VALUES ${rows.slice(i, i + 1000).join(', ')}`);
  await db.freshTemp('fast_lines', 'filename VARCHAR, line VARCHAR');
  await db.freshTemp('fast_text', 'file_id INTEGER, line_no BIGINT, line VARCHAR');
  const ids = files.map((f) => f.fileId).join(', ');
  const readCsv = (part: FastFile[], filename: boolean) => `read_csv([${part.map((f) => sqlString(f.abs)).join(', ')}],
        columns={'line': 'VARCHAR'}, delim=E'\\x1f', quote='', escape='', header=false, auto_detect=false, filename=${filename},
        new_line=${newline === 'lf' ? `'\\n'` : `'\\r\\n'`}, compression=${gzip ? `'gzip'` : `'none'`}, encoding='utf-8')`;
  try {
    // Materialised once, in file order (DuckDB keeps insertion order): a line's rowid gives its place in its file.
    // A few hundred files per statement: read_csv's memory grows with its file list (3,168 files of 19 MB ran out of
    // memory at the import's 256 MB and the whole batch fell back to the JavaScript reader).
    for (const part of chunks(shared, READ_CSV_FILES, Infinity)) {
      await db.run(`INSERT INTO fast_lines SELECT filename, line FROM ${readCsv(part, true)}`);
    }
    // A file alone: row_number() over read_csv's rows is their order in the file (a streaming window keeps the
    // reader's order), so its lines go where they belong in one pass, not through fast_lines and a join on the file
    // name (the 133 MB system log: 31-38 % less CPU, im24 in BENCHMARKS.md).
    for (const f of alone) {
      await db.run(`INSERT INTO stage SELECT ${f.fileId}, (row_number() OVER ())::INTEGER, 1, coalesce(line, '') FROM ${readCsv([f], false)}`);
    }
    // A whole file split at its line ends: the empty element after its last line end is dropped (where the scan saw
    // one), every other element is a line, so that the accounting below fails on any count the scan did not see.
    // In file and line order: the join's output is not, and event_store keeps stage's order, so its row groups would
    // mix ids (784 of the 1 GB tree's 6,790 pipeline files out of place; page and trace lookups 1.3–2.5× slower).
    for (const part of chunks(wholeFiles, Infinity, WHOLE_STATEMENT_BYTES)) {
      await db.run(`INSERT INTO ${single ? 'stage' : 'fast_text'} SELECT f.file_id, x.n${single ? '::INTEGER, 1' : ''}, x.l
        FROM (SELECT filename, unnest(parts) AS l, generate_subscripts(parts, 1) AS n, len(parts) AS k
          FROM (SELECT filename, string_split(content, ${newline === 'lf' ? `E'\\n'` : `E'\\r\\n'`}) AS parts
            FROM read_text([${part.map((f) => sqlString(f.abs)).join(', ')}])) p) x
        JOIN fast_files f ON f.path = x.filename WHERE NOT (x.n = x.k AND x.l = '' AND NOT f.torn)
        ORDER BY f.file_id, x.n`);
    }
  } catch (e) {
    if (process.env.CASEFILE_DEBUG_FAST) process.stderr.write(`fast read refused: ${String(e)}\n`);
    await db.run('DROP TABLE IF EXISTS fast_lines');
    await db.run('DROP TABLE IF EXISTS fast_text');
    if (single && numbered.size) await db.run(`DELETE FROM stage WHERE file_id IN (${ids})`);
    return files; // DuckDB would not read them as plain lines: the JavaScript reader will
  }
  try {
    // Line accounting: every file has exactly the lines its scan counted, contiguous and in order.
    const numberedLines = single ? 'SELECT file_id, line AS line_no FROM stage' : 'SELECT file_id, line_no FROM fast_text';
    const bad = await db.all<{ file_id: number; n: string; lines: string }>(`SELECT f.file_id, count(l.rowid)::VARCHAR AS n, any_value(f.lines)::VARCHAR AS lines
      FROM fast_files f LEFT JOIN fast_lines l ON l.filename = f.path WHERE NOT f.numbered GROUP BY f.file_id
      HAVING count(l.rowid) <> any_value(f.lines) OR (count(l.rowid) > 0 AND (min(l.rowid) <> any_value(f.start) OR max(l.rowid) <> any_value(f.start) + any_value(f.lines) - 1))
      UNION ALL
      SELECT f.file_id, count(t.line_no)::VARCHAR AS n, any_value(f.lines)::VARCHAR AS lines
      FROM fast_files f LEFT JOIN (${numberedLines}) t ON t.file_id = f.file_id WHERE f.numbered GROUP BY f.file_id
      HAVING count(t.line_no) <> any_value(f.lines) OR coalesce(max(t.line_no), 0) <> any_value(f.lines)`);
    if (bad.length) {
      const b = bad[0]!;
      throw new EngineError('internal', `Line accounting failed: DuckDB read ${b.n} lines of file ${b.file_id} where the scan counted ${b.lines}. Nothing of this batch was kept.`);
    }
    const csvLines = `SELECT f.file_id, l.rowid - f.start + 1 AS line_no, coalesce(l.line, '') AS line, l.rowid AS r FROM fast_lines l JOIN fast_files f ON f.path = l.filename`;
    if (single) {
      if (shared.length) await db.run(`INSERT INTO stage SELECT file_id, line_no::INTEGER, 1, line FROM (${csvLines})`);
      return [];
    }
    const lines = `${csvLines} UNION ALL
      SELECT t.file_id, t.line_no, t.line, f.start + t.line_no - 1 AS r FROM fast_text t JOIN fast_files f ON f.file_id = t.file_id`;
    // Records first as numbers (a line's place, its length, whether it starts one), so that a file with a record the
    // JavaScript reader would split (it passes maxRecordChars with the line after it) goes back before its lines are
    // joined: one 56 MB record of base64 lines ran out of memory at the import's limit and took 1 GB at the retry's,
    // only to be thrown away.
    await db.run(`CREATE OR REPLACE TEMP TABLE fast_k AS
      SELECT r, file_id, len, st, sum(st) OVER (ORDER BY r ROWS UNBOUNDED PRECEDING) AS rec, coalesce(lead(st) OVER (ORDER BY r), 1) AS next_st
      FROM (SELECT r, file_id, strlen(line) AS len, CASE WHEN line_no = 1 OR ${startsSql(def)} THEN 1 ELSE 0 END AS st FROM (${lines}) x) y`);
    const longest = new Map(files.map((f) => [f.fileId, f.scan.longestLine]));
    // A record's text is its lines and the newlines between them: sum(len + 1) - 1 characters.
    const sizes = await db.all<{ file_id: number; m: string }>(`SELECT file_id, max(b)::VARCHAR AS m FROM
      (SELECT file_id, sum(len + 1) - 1 AS b FROM fast_k GROUP BY file_id, rec) GROUP BY file_id`);
    const over = new Set(sizes.filter((s) => Number(s.m) + 1 + longest.get(Number(s.file_id))! > limits.maxRecordChars).map((s) => Number(s.file_id)));
    const keep = over.size ? `WHERE k.file_id NOT IN (${[...over].join(', ')})` : '';
    // A record is a start line and the lines up to the next start (a file's first line starts one). Records of one line
    // (a start followed by a start, or the end) go straight through: only the lines of longer records are grouped.
    // The windows ran over the line numbers alone (fast_k), joined back to the lines (a window carrying the text sorted
    // it all), and a record's lines are put in order by sorting its list, not by an ordered aggregate (string_agg with
    // ORDER BY sorted per group at several times the cost): the 150 MB Celery log took 2.1 s of CPU, not 5.
    await db.run(`INSERT INTO stage
      WITH w AS (SELECT x.file_id, x.line_no, x.line, k.st, k.rec, k.next_st FROM (${lines}) x JOIN fast_k k ON k.r = x.r ${keep})
      SELECT file_id, line_no::INTEGER, 1, line FROM w WHERE st = 1 AND next_st = 1
      UNION ALL
      SELECT file_id, min(line_no)::INTEGER, count(*)::INTEGER,
        array_to_string(list_transform(list_sort(list({'n': line_no, 'l': line})), lambda x: x.l), E'\\n')
      FROM w WHERE st = 0 OR next_st = 0 GROUP BY file_id, rec`);
    return files.filter((f) => over.has(f.fileId));
  } finally {
    await db.run('DROP TABLE IF EXISTS fast_lines');
    await db.run('DROP TABLE IF EXISTS fast_text');
    await db.run('DROP TABLE IF EXISTS fast_k');
  }
}
