// Hostile input at the import door (issue 8): values that do not convert, odd files, odd archives.
// Every test imports through the real importer into a real DuckDB case.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { verifyCase } from '../audit/custody';
import type { ImportResult } from '../../../shared/domain';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from './importer';
import { checkIncoming } from './check';
import { caseFolder } from './bundle';
import { DEFAULT_LIMITS } from './limits';
import { tempDir, removeDir, writeAt } from '../../testkit/tmp';
import { withEngineCase } from '../../testkit/engineCase';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function newRoot(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

const write = writeAt;


async function withCase<T>(root: string, fn: (h: CaseHandle) => Promise<T>): Promise<T> {
  const h = await CaseHandle.create(path.join(root, 'case'), { name: 'hostile' });
  try { return await fn(h); } finally { await h.close(); }
}

describe('values that do not convert', () => {
  it('keeps a record whose epoch is out of range or NaN, flags it, and imports the rest', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    const good = (i: number) => JSON.stringify({ message: `m${i}`, levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i });
    write(b, 'enrich/logs/app/app.json.log', [good(1), JSON.stringify({ message: 'nan', levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:46,000', created: 'NaN' }), good(2)].join('\n') + '\n');
    write(b, 'misc/events.jsonl', [JSON.stringify({ epoch: 1e13, msg: 'far future' }), JSON.stringify({ epoch: 1690656225, msg: 'fine' })].join('\n') + '\n');
    await withCase(root, async (h) => {
      const res = await importPaths(h, [b]);
      const sys = res.files.find((f) => f.file === 'enrich/logs/app/app.json.log')!;
      expect(sys).toMatchObject({ records: 3, ok: 2, malformed: 1 });
      expect(sys.note).toMatch(/1 record with a value that could not be converted/);
      const gen = res.files.find((f) => f.file === 'misc/events.jsonl')!;
      expect(gen).toMatchObject({ records: 2, ok: 1, malformed: 1 });
      const rows = await h.db.read<{ raw: string; parse_status: string; ts: string | null }>(
        `SELECT raw, parse_status, strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts FROM events ORDER BY id`);
      const nan = rows.find((r) => r.raw.includes('"NaN"'))!;
      expect(nan.parse_status).toBe('malformed');
      expect(nan.ts).not.toBeNull(); // the naive asctime still places it
      const far = rows.find((r) => r.raw.includes('far future'))!;
      expect(far.parse_status).toBe('malformed');
      expect(far.raw).toBe(JSON.stringify({ epoch: 1e13, msg: 'far future' }));
    });
  });
});

function tarHeader(name: string, type: string, size = 0, linkpath?: string): Buffer {
  const b = Buffer.alloc(512);
  new tar.Header({ path: name, size, mode: 0o644, type: type as 'File', mtime: new Date(0), ...(linkpath ? { linkpath } : {}) }).encode(b, 0);
  return b;
}
const tarFile = (name: string, body: string) => {
  const data = Buffer.from(body);
  return Buffer.concat([tarHeader(name, 'File', data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
};

describe('odd files and archives', () => {
  it('refuses a FIFO up front instead of hanging', async () => {
    const root = newRoot();
    const fifo = path.join(root, 'pipe.log');
    execFileSync('mkfifo', [fifo]);
    await withCase(root, async (h) => {
      await expect(importPaths(h, [fifo])).rejects.toThrow(/pipe\.log is not a regular file or folder \(a FIFO, device or socket\): refused/);
      expect(readdirSync(h.files.bundles)).toEqual([]);
    });
  });

  it('reports tar links, special files and duplicate members instead of dropping them silently', async () => {
    const root = newRoot();
    const t = path.join(root, 'odd.tar');
    writeFileSync(t, Buffer.concat([
      tarFile('logs/a.log', 'first copy\n'), tarFile('logs/a.log', 'second copy\n'),
      tarHeader('logs/link.log', 'SymbolicLink', 0, '/etc/passwd'), tarHeader('logs/hard.log', 'Link', 0, 'logs/a.log'),
      tarHeader('logs/fifo', 'FIFO'), tarFile('logs/b.log', 'b\n'), Buffer.alloc(1024),
    ]));
    await withEngineCase(root, 'hostile', async (engine, caseId, h) => {
      const res = (await engine.invoke('import.paths', { caseId, paths: [t] })) as ImportResult;
      const notes = res.bundles[0]!.notes ?? [];
      expect(notes).toEqual(expect.arrayContaining([
        expect.stringMatching(/^logs\/link\.log: a symbolic link to \/etc\/passwd, not evidence: left out/),
        expect.stringMatching(/^logs\/hard\.log: a hard link to logs\/a\.log/),
        expect.stringMatching(/^logs\/fifo: a FIFO entry/),
        expect.stringMatching(/^logs\/a\.log: 2 members of this name in the archive; the last one is kept/),
      ]));
      expect(res.files.map((f) => f.file).sort()).toEqual(['logs/a.log', 'logs/b.log']);
      const manifest = JSON.parse(readFileSync(path.join(h.files.bundles, `${res.bundles[0]!.id}.manifest.json`), 'utf8')) as { dropped: string[] };
      expect(manifest.dropped).toEqual(notes);
      expect((await verifyCase(h)).problems).toEqual([]);
    });
  });

  it('refuses a truncated .tar.gz with a sentence, leaves no staging folder, and verify ignores one left by a crash', async () => {
    const root = newRoot();
    const src = path.join(root, 'src');
    for (let i = 0; i < 40; i++) write(src, `logs/f${i}.log`, `${'x'.repeat(3000)} ${Math.random()}\n`.repeat(50));
    const tgz = path.join(root, 'cut.tar.gz');
    await tar.c({ gzip: true, file: tgz, cwd: src }, ['logs']);
    truncateSync(tgz, Math.floor(statSync(tgz).size / 2));
    await withCase(root, async (h) => {
      const err = (await importPaths(h, [tgz]).then(() => new Error('imported'), (e: unknown) => e as Error));
      expect(err.message).toMatch(/^cut\.tar\.gz is damaged or truncated \(.*\): nothing was imported from it\.$/);
      expect(err.message).not.toMatch(/TAR_|EEXIST|ENOENT/);
      expect(readdirSync(h.files.bundles)).toEqual([]);
      mkdirSync(path.join(h.files.bundles, '.incoming-0123456789ab', 'logs'), { recursive: true });
      expect((await verifyCase(h)).problems).toEqual([]);
    });
  });

  it('imports a folder holding file and folder names that are not UTF-8 (Latin-1 from an old server), their bytes kept', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    write(b, 'logs/ok.log', 'plain\n');
    // Node's string paths cannot name these: readdir's text would be a name that does not exist (ENOENT).
    mkdirSync(Buffer.from(path.join(b, 'logs/')), { recursive: true });
    mkdirSync(Buffer.concat([Buffer.from(path.join(b, 'caf')), Buffer.from([0xe9])]));
    writeFileSync(Buffer.concat([Buffer.from(path.join(b, 'logs/celery-')), Buffer.from([0xe9, 0xff]), Buffer.from('.log')]), '[2023-07-06 03:30:00,000: INFO/MainProcess] latin-1 name\n');
    writeFileSync(Buffer.concat([Buffer.from(path.join(b, 'caf')), Buffer.from([0xe9]), Buffer.from('/r\u00e9sum\u00e9.log')]), 'utf-8 name in a latin-1 folder\n');
    await withEngineCase(root, 'hostile', async (engine, caseId, h) => {
      const res = (await engine.invoke('import.paths', { caseId, paths: [b] })) as ImportResult;
      expect(res.files.map((f) => f.file).sort()).toEqual(['caf%E9/r\u00e9sum\u00e9.log', 'logs/celery-%E9%FF.log', 'logs/ok.log']);
      expect(res.files.find((f) => f.file === 'logs/celery-%E9%FF.log')).toMatchObject({ format: 'celery', ok: 1 });
      const manifest = JSON.parse(readFileSync(path.join(h.files.bundles, `${res.bundles[0]!.id}.manifest.json`), 'utf8')) as { files: { path: string; sourceName?: string }[] };
      const names = Object.fromEntries(manifest.files.map((f) => [f.path, f.sourceName ? Buffer.from(f.sourceName, 'hex') : undefined]));
      expect(names['logs/celery-%E9%FF.log']).toEqual(Buffer.concat([Buffer.from('logs/celery-'), Buffer.from([0xe9, 0xff]), Buffer.from('.log')]));
      expect(names['caf%E9/r\u00e9sum\u00e9.log']).toEqual(Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from('/r\u00e9sum\u00e9.log')]));
      expect(names['logs/ok.log']).toBeUndefined();
      expect((await verifyCase(h)).problems).toEqual([]);
    });
  });

  it('keeps a bundle\'s own manifest.json as evidence: ours lives outside the bundle folder', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    write(b, 'manifest.json', '{"theirs": true}\n');
    write(b, 'logs/a.log', 'hello\n');
    await withEngineCase(root, 'hostile', async (engine, caseId, h) => {
      const res = (await engine.invoke('import.paths', { caseId, paths: [b] })) as ImportResult;
      expect(res.files.map((f) => f.file).sort()).toEqual(['logs/a.log', 'manifest.json']);
      expect(readFileSync(path.join(h.files.bundle(res.bundles[0]!.id), 'manifest.json'), 'utf8')).toBe('{"theirs": true}\n');
      expect((await verifyCase(h)).problems).toEqual([]);
    });
  });

  it('leaves the case\'s own folder out of a folder that holds it, and refuses the case folder or a path inside it as input', async () => {
    const root = newRoot();
    write(root, 'logs/a.log', 'hello\n');
    await withCase(root, async (h) => {
      // The case lives in the incident folder the operator imports: its database, audit trail and salt are not evidence.
      expect(path.dirname(h.dir)).toBe(root);
      const res = await importPaths(h, [root]);
      expect(res.files.map((f) => f.file)).toEqual(['logs/a.log']);
      expect(res.bundles[0]!.notes).toEqual([`${path.basename(h.dir)}: this case's own folder, not evidence: left out`]);
      // The same folder again is the same bundle: nothing of the case (grown since) comes in.
      const again = await importPaths(h, [root]);
      expect(again.bundles.map((b) => b.id)).toEqual(res.bundles.map((b) => b.id));
      for (const inside of [h.dir, h.files.bundles, path.join(h.dir, 'case.json')]) {
        await expect(importPaths(h, [inside])).rejects.toThrow(/is this case's own folder or inside it: refused/);
      }
      expect(readdirSync(h.files.bundles).filter((e) => !e.endsWith('.manifest.json'))).toEqual([res.bundles[0]!.id]);
      expect(readdirSync(h.files.bundle(res.bundles[0]!.id))).toEqual(['logs']);
      // import.check (what the panel asks first) says the same as the import.
      const check = await checkIncoming(h.db, [root], DEFAULT_LIMITS, [], await caseFolder(h.dir));
      expect(check.files).toBe(1);
      await expect(checkIncoming(h.db, [h.dir], DEFAULT_LIMITS, [], await caseFolder(h.dir))).rejects.toThrow(/this case's own folder/);
    });
  });

  it('leaves Casefile\'s data folder (keys, the audit key, other cases) out of a folder that holds it, and refuses it as input', async () => {
    // An operator importing a home folder would have copied the keystore and audit.key into the case as evidence.
    const root = newRoot();
    write(root, 'logs/a.log', 'hello\n');
    const home = path.join(root, 'dot-local', 'casefile');
    write(home, 'audit.key', 'k'.repeat(32));
    write(home, 'keys/operator.sec.asc', '-----BEGIN PGP PRIVATE KEY BLOCK-----\n');
    const before = process.env.CASEFILE_HOME;
    process.env.CASEFILE_HOME = home;
    try {
      await withCase(newRoot(), async (h) => {
        const res = await importPaths(h, [root]);
        expect(res.files.map((f) => f.file)).toEqual(['logs/a.log']);
        expect(res.bundles[0]!.notes).toEqual(['dot-local/casefile: Casefile\'s data folder (keys, the audit key, cases), not evidence: left out']);
        await expect(importPaths(h, [home])).rejects.toThrow(/is Casefile's data folder: refused/);
        const check = await checkIncoming(h.db, [root], DEFAULT_LIMITS, [], await caseFolder(h.dir));
        expect(check.files).toBe(1);
      });
    } finally {
      if (before === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = before;
    }
  });

  it('reads a 150 MB single line as one cut record, not as an empty file', async () => {
    const root = newRoot();
    const f = write(root, 'in/one.log', Buffer.alloc(150 * 1024 * 1024, 0x61));
    await withCase(root, async (h) => {
      const res = await importPaths(h, [f]);
      expect(res.files[0]).toMatchObject({ records: 1, lines: 1 });
      expect(res.files[0]!.note).not.toMatch(/empty file/);
      expect(res.files[0]!.note).toMatch(/1 line longer than the line limit/);
    });
  }, 60_000);

  it('decodes UTF-16 files by their byte order mark, little- and big-endian', async () => {
    const root = newRoot();
    const text = [1, 2].map((i) => JSON.stringify({ message: `héllo ${i}`, levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i, logid: String(i) })).join('\n') + '\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    const b = path.join(root, 'bundle');
    write(b, 'enrich/logs/app/app.json.log', le);
    write(b, 'enrich/logs/app/app.json.log.1', be);
    await withCase(root, async (h) => {
      const res = await importPaths(h, [b]);
      for (const f of res.files) {
        expect(f, f.file).toMatchObject({ format: 'system', records: 2, ok: 2 });
        expect(f.note).toMatch(/decoded as UTF-16(LE|BE)/);
      }
      const rows = await h.db.read<{ message: string }>(`SELECT message FROM events ORDER BY file_id, id`);
      expect(rows.map((r) => r.message)).toEqual(['héllo 1', 'héllo 2', 'héllo 1', 'héllo 2']);
    });
  });
});
