// Import behaviour against real files and a real DuckDB case: bad input never aborts and loses nothing,
// re-imports add nothing, gzip rotations and truncations are read, the site timezone is inferred.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import * as tar from 'tar';
import { CaseHandle } from '../case/caseStore';
import { CaseDb } from '../store/db';
import { importPaths } from './importer';
import { tempDir, removeDir, writeAt } from '../../testkit/tmp';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function newRoot(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

const write = writeAt;

/** Lines as a reader counts them: every \n ends one, a trailing piece without \n is one more. */
function lineCount(buf: Buffer): number {
  let n = 0;
  for (const b of buf) if (b === 10) n++;
  return buf.length > 0 && buf[buf.length - 1] !== 10 ? n + 1 : n;
}

function sysLine(local: string, created: number, msg: string, level = 'INFO'): string {
  return JSON.stringify({ message: msg, levelname: level, name: 'app', asctime: local, created, logid: String(created) });
}

describe('import', () => {
  it('keeps every line of bad input and counts it', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    const good = sysLine('2023-07-30 00:13:45,400', 1690656225.4, 'ok');
    write(b, 'enrich/logs/app/app.json.log', `${good}\n{"message": "torn", "levelname": "ERR\n\n${good}\n`);
    write(b, 'enrich/logs/app/app.json.log.1', Buffer.concat([Buffer.from(`${good}\n`), Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]), Buffer.from(`${good}`)]));
    write(b, 'enrich/logs/app/app.json.log.2.gz', gzipSync(Buffer.from(`${good}\n${good}\n`)));
    const gz = gzipSync(Buffer.from(Array.from({ length: 2000 }, (_, i) => sysLine('2023-07-30 00:13:45,400', 1690656225.4 + i, `m${i}`)).join('\n') + '\n'));
    write(b, 'enrich/logs/app/app.json.log.3.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    // Whole length, bytes in the middle corrupted (a bad disk or transfer): damaged, not cut short.
    const bad = Buffer.from(gz);
    for (let i = bad.length >> 1; i < (bad.length >> 1) + 40; i++) bad[i]! ^= 0x5a;
    write(b, 'enrich/logs/app/app.json.log.4.gz', bad);
    write(b, 'enrich/logs/doodle/doodle.log', '');
    write(b, 'misc/garbage.bin', Buffer.from([0, 1, 2, 3, 0x0a, 0xc3, 0x28, 0x0a, 0x7f]));
    write(b, 'enrich/logs/celery/celery-worker.log', 'orphan continuation line\n[2023-07-06 12:07:36,774: INFO/MainProcess] Task t[320bbda6-e758-49fc-8a26-e8dc29f88f75] received\n  more\n');

    const h = await CaseHandle.create(path.join(root, 'case'), { name: 'bad' });
    try {
      const res = await importPaths(h, [b]);
      const byFile = new Map(res.files.map((f) => [f.file, f]));
      for (const f of res.files) {
        const rows = await h.db.read<{ lines: string; records: string }>(
          `SELECT coalesce(sum(line_count), 0)::VARCHAR AS lines, count(*)::VARCHAR AS records FROM events WHERE file = $1`, [f.file]);
        // Line accounting: every line of every file is inside exactly one event.
        if (!f.file.endsWith('.gz')) expect(Number(rows[0]!.lines), f.file).toBe(lineCount(readFileSync(path.join(b, f.file))));
        expect(Number(rows[0]!.lines), f.file).toBe(f.lines);
        expect(Number(rows[0]!.records), f.file).toBe(f.records);
        expect(f.ok + f.malformed + f.unparsed, f.file).toBe(f.records);
      }
      const main = byFile.get('enrich/logs/app/app.json.log')!;
      expect(main).toMatchObject({ records: 3, ok: 2, malformed: 1 }); // the blank line belongs to the torn record
      const rot1 = byFile.get('enrich/logs/app/app.json.log.1')!;
      expect(rot1).toMatchObject({ records: 3, ok: 2, malformed: 1 });
      expect(rot1.note).toMatch(/not UTF-8/);
      expect(rot1.note).toMatch(/NUL/);
      expect(rot1.note).toMatch(/no newline/);
      expect(byFile.get('enrich/logs/app/app.json.log.2.gz')).toMatchObject({ format: 'system', records: 2, ok: 2 });
      const trunc = byFile.get('enrich/logs/app/app.json.log.3.gz')!;
      // The operator is told what happened to the file, in words that fit it: cut short, or damaged inside (re-pull it
      // either way); the line the cut or damage tore is said by that, not as a torn write.
      expect(trunc.note).toBe('gzip stream is truncated (unexpected end of file): kept what decompressed before the cut, its last line cut off');
      expect(trunc.records).toBeGreaterThan(0);
      expect(trunc.records).toBeLessThan(2000);
      const damaged = byFile.get('enrich/logs/app/app.json.log.4.gz')!;
      expect(damaged.note).toMatch(/^gzip stream is damaged \((invalid [^)]+|incorrect data check)\): kept what decompressed before the damage was found(, its last line cut off)?; the lines just before it may be garbled$/);
      expect(damaged.records).toBeGreaterThan(0);
      expect(damaged.records).toBeLessThan(2000);
      expect(byFile.get('enrich/logs/doodle/doodle.log')).toMatchObject({ records: 0, lines: 0, note: 'empty file' });
      expect(byFile.get('misc/garbage.bin')).toMatchObject({ format: 'raw', records: 3, unparsed: 3 });
      const celery = byFile.get('enrich/logs/celery/celery-worker.log')!;
      expect(celery).toMatchObject({ records: 2, ok: 1, malformed: 1 });
      const raw = await h.db.read<{ raw: string }>(`SELECT raw FROM events WHERE file = 'enrich/logs/celery/celery-worker.log' ORDER BY id`);
      expect(raw[1]!.raw).toContain('\n  more');
    } finally {
      await h.close();
    }
  });

  it('adds nothing when the same evidence comes again, as a folder or as a tarball', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    write(b, 'enrich/logs/app/app.json.log', `${sysLine('2023-07-30 00:13:45,400', 1690656225.4, 'a')}\n`);
    write(b, 'enrich/logs/celery/w.log', '[2023-07-06 12:07:36,774: INFO/MainProcess] hello\n');
    await tar.c({ gzip: true, file: path.join(root, 'bundle.tar.gz'), cwd: b }, ['enrich']);
    const h = await CaseHandle.create(path.join(root, 'case'), { name: 'dup' });
    try {
      const first = await importPaths(h, [b]);
      expect(first.bundles[0]!.reused).toBe(false);
      const again = await importPaths(h, [b]);
      const tarball = await importPaths(h, [path.join(root, 'bundle.tar.gz')]);
      expect(again.bundles[0]!.reused).toBe(true);
      expect(tarball.bundles[0]!.id).toBe(first.bundles[0]!.id);
      expect(tarball.files.every((f) => f.skipped)).toBe(true);
      const n = await h.db.read<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM events`);
      expect(Number(n[0]!.n)).toBe(2);
      const manifest = JSON.parse(readFileSync(path.join(h.files.bundles, `${first.bundles[0]!.id}.manifest.json`), 'utf8')) as { files: { path: string; sha256: string }[] };
      expect(manifest.files.map((f) => f.path).sort()).toEqual(['enrich/logs/app/app.json.log', 'enrich/logs/celery/w.log']);
    } finally {
      await h.close();
    }
  });

  it('infers the site timezone from naive stamps beside epoch seconds, DST included, and applies it to naive logs', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    // New York: UTC-5 in January, UTC-4 in July.
    const jan = Date.UTC(2023, 0, 15, 17, 0, 0) / 1000;
    const jul = Date.UTC(2023, 6, 15, 16, 0, 0) / 1000;
    write(b, 'enrich/logs/app/app.json.log', [sysLine('2023-01-15 12:00:00,000', jan, 'jan'), sysLine('2023-07-15 12:00:00,000', jul, 'jul')].join('\n') + '\n');
    write(b, 'enrich/logs/celery/celery-worker.log', '[2023-07-15 12:00:00,000: INFO/MainProcess] naive local noon\n');
    const h = await CaseHandle.create(path.join(root, 'case'), { name: 'tz' });
    try {
      const res = await importPaths(h, [b], { hooks: { remember: (l) => h.rememberImport(l) } });
      expect(res.timezone).toMatchObject({ zone: 'America/New_York', how: 'inferred' });
      expect(h.meta.timezone.zone).toBe('America/New_York');
      const row = await h.db.read<{ ts: string; tz_rule: string }>(`SELECT strftime(ts, '%Y-%m-%dT%H:%M:%SZ') AS ts, tz_rule FROM events WHERE source = 'celery'`);
      expect(row[0]!.ts).toBe('2023-07-15T16:00:00Z');
      expect(row[0]!.tz_rule).toMatch(/America\/New_York \(inferred\)/);
    } finally {
      await h.close();
    }
  });

  it('lets the operator force a format and a timezone, and hands what it learned to the case instead of writing case.json', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    write(b, 'odd/place/worker.txt', '[2023-07-06 12:07:36,774: INFO/MainProcess] hello\n');
    const h = await CaseHandle.create(path.join(root, 'case'), { name: 'force', timezone: '+05:30' });
    try {
      const before = readFileSync(h.files.caseJson, 'utf8');
      const learned: unknown[] = [];
      const res = await importPaths(h, [b], { formatOverrides: [{ format: 'celery', glob: 'odd/**' }], hooks: { remember: async (l) => { learned.push(l); } } });
      expect(res.files[0]).toMatchObject({ format: 'celery', reason: 'operator override: celery=odd/**' });
      const row = await h.db.read<{ ts: string }>(`SELECT strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts FROM events`);
      expect(row[0]!.ts).toBe('2023-07-06T06:37:36.774Z');
      // The operator's zone stands (nothing inferred); the override is reported once, and case.json is untouched.
      expect(learned).toEqual([{ formatOverrides: [{ format: 'celery', glob: 'odd/**' }] }]);
      expect(readFileSync(h.files.caseJson, 'utf8')).toBe(before);
      await h.rememberImport(learned[0] as { formatOverrides: { format: string; glob: string }[] });
      await h.rememberImport(learned[0] as { formatOverrides: { format: string; glob: string }[] });
      expect(h.meta.formatOverrides).toEqual([{ format: 'celery', glob: 'odd/**' }]);
      expect(JSON.parse(readFileSync(h.files.caseJson, 'utf8'))).toMatchObject({ formatOverrides: [{ format: 'celery', glob: 'odd/**' }], timezone: { zone: '+05:30', how: 'operator' } });
    } finally {
      await h.close();
    }
  });
  it('a cancel that comes while no statement runs (between the read and the transaction) still rolls its batch back', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    write(b, 'enrich/logs/app/app.json.log', Array.from({ length: 50 }, (_, i) => sysLine('2023-07-30 00:13:45,400', 1690656225.4 + i, `m${i}`)).join('\n') + '\n');
    const h = await CaseHandle.create(path.join(root, 'case'), { name: 'cancel-gap' });
    try {
      const ctl = new AbortController();
      // onReader runs in the batch after its files are read and before its transaction: DuckDB is idle then.
      await expect(importPaths(h, [b], { signal: ctl.signal, onReader: () => ctl.abort(new Error('stop')) })).rejects.toThrow('stop');
      const n = await h.db.read<{ files: number; events: number }>('SELECT (SELECT count(*) FROM files)::INTEGER AS files, (SELECT count(*) FROM events)::INTEGER AS events');
      expect(n[0]).toEqual({ files: 0, events: 0 });
      const again = await importPaths(h, [b]);
      expect(again.files.map((f) => f.records)).toEqual([50]);
    } finally {
      await h.close();
    }
  });
  it('a batch whose step after COMMIT runs out of memory is not imported a second time by the memory retry', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    write(b, 'enrich/logs/app/app.json.log', Array.from({ length: 40 }, (_, i) => sysLine('2023-07-30 00:13:45,400', 1690656225.4 + i, `m${i}`)).join('\n') + '\n');
    const h = await CaseHandle.create(path.join(root, 'case'), { name: 'oom-after-commit' });
    // The batch's events are committed; dropping its staging tables then fails as DuckDB does when out of memory.
    const run = CaseDb.prototype.run;
    let failed = 0;
    CaseDb.prototype.run = async function (this: CaseDb, sql, params) {
      if (!failed && /DROP TABLE IF EXISTS temp\.stage\b/.test(sql) && (await run.call(this, sql, params), true)) {
        failed++;
        throw new Error('Out of Memory Error: could not allocate block of size 256.0 KiB');
      }
      return run.call(this, sql, params);
    };
    try {
      const res = await importPaths(h, [b]);
      expect(failed).toBe(1);
      expect(res.files.map((f) => [f.records, f.lines])).toEqual([[40, 40]]);
      const n = await h.db.read<{ files: number; events: number }>('SELECT (SELECT count(*) FROM files)::INTEGER AS files, (SELECT count(*) FROM events)::INTEGER AS events');
      expect(n[0]).toEqual({ files: 1, events: 40 });
    } finally {
      CaseDb.prototype.run = run;
      await h.close();
    }
  });
  // The .gz file's bundle may decompress a little more than the file holds: the first try's bytes must not count twice.
  it.each(['plain', 'gzip'] as const)('a batch that runs out of DuckDB memory at the import\'s limit is tried once more at a larger one, and every record lands (%s)', async (kind) => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    const lines: string[] = [];
    for (let i = 0; i < 150_000; i++) {
      lines.push(`[2023-07-06 12:07:${String(i % 60).padStart(2, '0')},774: INFO/MainProcess] Task t[320bbda6-e758-49fc-8a26-e8dc29f88f75] received ${i}`);
      lines.push(`  continuation ${i}: SELECT * FROM runs WHERE id = ${i}`);
    }
    const text = Buffer.from(lines.join('\n') + '\n');
    if (kind === 'plain') write(b, 'enrich/logs/celery/celery-worker.log', text);
    else write(b, 'enrich/logs/celery/celery-worker.log.1.gz', gzipSync(text));
    const h = await CaseHandle.create(path.join(root, 'case'), { name: 'oom' });
    process.env.CASEFILE_IMPORT_MEMORY = '2MB';
    process.env.CASEFILE_MAX_BUNDLE_BYTES = String(Math.ceil(text.length * 1.5));
    try {
      const readers: string[] = [];
      const res = await importPaths(h, [b], { onReader: (_f, r) => readers.push(r) });
      // The first try ran out (its reader was chosen, then its rows could not be staged); the second went through.
      expect(readers.length).toBe(2);
      expect(res.files.map((f) => [f.records, f.lines, f.note ?? ''])).toEqual([[150_000, 300_000, '']]);
      const n = await h.db.read<{ n: number }>('SELECT count(*)::INTEGER AS n FROM events');
      expect(n[0]!.n).toBe(150_000);
    } finally {
      delete process.env.CASEFILE_IMPORT_MEMORY;
      delete process.env.CASEFILE_MAX_BUNDLE_BYTES;
      await h.close();
    }
  });
});
