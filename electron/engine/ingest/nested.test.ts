// Archives and binary files inside a bundle: an archive is kept as evidence and its contents imported as a bundle of
// their own, one level deep; an image, a database or a compressed form Casefile does not read is kept, not read as
// lines. Real archives (node-tar, the system's zip), real PNG bytes, real DuckDB cases, verify at the end.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { verifyCase } from '../audit/custody';
import { Engine } from '../engine';
import type { ImportResult } from '../../../shared/domain';
import { CaseHandle } from '../case/caseStore';
import { sha256File } from '../evidence/manifest';
import { adoptPulledTree } from '../transport/handoff';
import { importBundles } from './importer';
import { sniffMagic } from './magic';
import { tempDir, removeDir, writeAt } from '../../testkit/tmp';
import { withEngineCase } from '../../testkit/engineCase';
import { CLI_BIN } from '../../testkit/cliChild';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PNG = readFileSync(path.join(REPO, 'docs/screenshots/timeline.png'));

function newRoot(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

const celery = (i: number) => `[2023-07-06 09:12:${String(10 + i).padStart(2, '0')},100: INFO/MainProcess] Task app.tasks.run[6f1c0a8e-0000-4000-8000-00000000000${i}] received`;
const CELERY = [1, 2, 3].map(celery).join('\n') + '\n';

/** A one-member zip, stored (no compression), byte by byte: for member names no zip tool will write. */
function storedZip(name: string, data: Buffer): Buffer {
  const n = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12); end.writeUInt32LE(30 + n.length + data.length, 16);
  return Buffer.concat([local, n, data, central, n, end]);
}


const importInto = async (engine: Engine, caseId: string, paths: string[], formatOverrides?: { format: string; glob: string }[]) =>
  (await engine.invoke('import.paths', { caseId, paths, ...(formatOverrides ? { formatOverrides } : {}) })) as ImportResult;

const file = (res: ImportResult, rel: string) => {
  const f = res.files.find((x) => x.file === rel);
  if (!f) throw new Error(`${rel} not in the result: ${res.files.map((x) => x.file).join(', ')}`);
  return f;
};

async function eventsOf(h: CaseHandle, bundle: string, rel: string): Promise<number> {
  const [r] = await h.db.read<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM events WHERE bundle = '${bundle}' AND file = '${rel}'`);
  return Number(r!.n);
}

const manifestOf = (h: CaseHandle, id: string) => JSON.parse(readFileSync(path.join(h.files.bundles, `${id}.manifest.json`), 'utf8')) as {
  origin: { kind: string; archiveSha256?: string; from?: { bundle: string; path: string } }; files: { path: string; sha256: string }[]; dropped?: string[] };

describe('magic bytes', () => {
  it('names what the first bytes show, and leaves text (even with NUL runs) alone', () => {
    const tarHead = Buffer.alloc(512);
    tarHead.write('ustar', 257, 'latin1');
    const cases: [Buffer, string, string | null][] = [
      [PNG, 'a.png', 'PNG image'],
      [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'a.jpg', 'JPEG image'],
      [Buffer.from('GIF89a\x01\x00', 'latin1'), 'a.gif', 'GIF image'],
      [Buffer.from('%PDF-1.7\n'), 'a.pdf', 'PDF document'],
      [Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), 'worker', 'ELF executable or library'],
      [Buffer.from('SQLite format 3\0\x10\x00', 'latin1'), 'state.db', 'SQLite database'],
      [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]), 'report.xlsx', 'zip-based file (.xlsx)'],
      [Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14]), 'logs.zip', 'zip archive'],
      [Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]), 'a.7z', '7z archive'],
      [tarHead, 'x.bin', 'tar archive'],
      [Buffer.from('BZh9 is how this log line starts\n'), 'a.log', null],
      [Buffer.from('2023-07-06 09:12:10 boom\n\0\0\0\0\0\0\0\0\0\0\0\0\n2023-07-06 09:12:11 restarted\n', 'latin1'), 'crash.log', null],
      [Buffer.alloc(0), 'empty.log', null],
    ];
    for (const [head, rel, what] of cases) expect(sniffMagic(head, rel)?.what ?? null, rel).toBe(what);
    // Real compressed files from the system's compressors: kept, and said to be in a form Casefile does not read.
    const text = Buffer.from(CELERY.repeat(20));
    for (const [tool, what] of [['bzip2', 'bzip2-compressed file'], ['xz', 'xz-compressed file'], ['zstd', 'zstd-compressed file']] as const) {
      const out = spawnSync(tool, ['-c'], { input: text });
      if (out.status !== 0) continue; // the tool is not installed here
      expect(sniffMagic(out.stdout, `app.log.${tool}`), tool).toMatchObject({ what, unread: true });
    }
    expect(sniffMagic(PNG, 'shot.png.gz', true)?.what).toBe('PNG image (gzip-compressed)');
  });
});

describe('archives and binaries inside a bundle', () => {
  it('keeps a nested .tar.gz as evidence, imports its contents as a bundle linked to it, one level deep; a PNG is kept, not read', async () => {
    const root = newRoot();
    // The nested archive: a log, an archive inside it (not to be expanded), a symbolic link (refused).
    const inner = path.join(root, 'inner-src');
    writeAt(inner, 'old/logs/celery/worker.log', CELERY);
    writeAt(inner, 'deeper-src/deep.log', 'deep\n');
    execFileSync('zip', ['-q', '-r', path.join(inner, 'old/deeper.zip'), 'deeper-src'], { cwd: inner });
    symlinkSync('/etc/passwd', path.join(inner, 'old/passwd.log'));
    const b = path.join(root, 'bundle');
    writeAt(b, 'logs/app.log', '2023-07-06T09:12:10.000Z INFO outer hello\n');
    await tar.c({ gzip: true, file: writeAt(b, 'logs/archive/old.tar.gz', ''), cwd: inner }, ['old']);
    writeAt(b, 'logs/timeline.png', PNG);
    writeAt(b, 'logs/shot.png.gz', gzipSync(PNG));
    writeAt(inner, 'sheet-src/xl/workbook.xml', '<workbook/>\n');
    mkdirSync(path.join(b, 'reports'));
    execFileSync('zip', ['-q', '-r', path.join(b, 'reports/summary.xlsx'), 'xl'], { cwd: path.join(inner, 'sheet-src') });
    // A crash log with NUL runs has no magic: it is still read as lines.
    writeAt(b, 'logs/crash.log', Buffer.from('2023-07-06T09:12:11.000Z ERROR dying\n\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\n2023-07-06T09:12:12.000Z INFO back\n', 'latin1'));

    await withEngineCase(root, 'nested', async (engine, caseId, h) => {
      const res = await importInto(engine, caseId, [b]);
      expect(res.bundles).toHaveLength(2);
      const [outer, nested] = res.bundles;
      expect(nested!.from).toEqual({ bundle: outer!.id, file: 'logs/archive/old.tar.gz' });
      // The archive: kept, no events, a note naming the bundle its contents became.
      expect(file(res, 'logs/archive/old.tar.gz')).toMatchObject({ bundle: outer!.id, format: 'archive', records: 0, lines: 0, skipped: false });
      expect(file(res, 'logs/archive/old.tar.gz').note).toBe(`tar archive (gzip-compressed): kept as evidence, not read as log lines; its 2 files were imported as bundle ${nested!.id}`);
      expect(await eventsOf(h, outer!.id, 'logs/archive/old.tar.gz')).toBe(0);
      // Custody links the two: the outer manifest pins the archive's sha256, the nested one names it and where it is.
      const om = manifestOf(h, outer!.id);
      const nm = manifestOf(h, nested!.id);
      expect(nm.origin).toMatchObject({ kind: 'archive', from: { bundle: outer!.id, path: 'logs/archive/old.tar.gz' } });
      expect(nm.origin.archiveSha256).toBe(om.files.find((f) => f.path === 'logs/archive/old.tar.gz')!.sha256);
      // Its contents: the log read; the link refused and said so; the archive inside kept, noted, not expanded.
      expect(file(res, 'old/logs/celery/worker.log')).toMatchObject({ bundle: nested!.id, format: 'celery', records: 3 });
      expect(nested!.notes).toEqual([expect.stringMatching(/^old\/passwd\.log: a symbolic link to \/etc\/passwd, not evidence: left out/)]);
      expect(file(res, 'old/deeper.zip')).toMatchObject({ format: 'archive', records: 0 });
      expect(file(res, 'old/deeper.zip').note).toMatch(new RegExp(`^zip archive: kept as evidence, not read as log lines, and not expanded: it is inside the archive ${outer!.id}/logs/archive/old\\.tar\\.gz`));
      expect(res.files.some((f) => f.file.endsWith('deep.log'))).toBe(false);
      // Binaries: kept, no events.
      expect(file(res, 'logs/timeline.png')).toMatchObject({ format: 'binary', records: 0, note: 'PNG image: kept as evidence, not read as log lines' });
      expect(file(res, 'logs/shot.png.gz')).toMatchObject({ format: 'binary', records: 0, note: 'PNG image (gzip-compressed): kept as evidence, not read as log lines' });
      expect(file(res, 'reports/summary.xlsx')).toMatchObject({ format: 'binary', records: 0, note: 'zip-based file (.xlsx): kept as evidence, not read as log lines' });
      for (const rel of ['logs/timeline.png', 'logs/shot.png.gz', 'reports/summary.xlsx']) expect(await eventsOf(h, outer!.id, rel), rel).toBe(0);
      // Text is read as before, NUL runs and all.
      expect(file(res, 'logs/crash.log')).toMatchObject({ lines: 3, records: 2 });
      expect(file(res, 'logs/crash.log').note).toMatch(/1 line with NUL bytes/);
      expect(await eventsOf(h, outer!.id, 'logs/app.log')).toBe(1);
      // Every byte is in the bundles, and verify vouches for all of it.
      expect(readFileSync(path.join(h.files.bundle(outer!.id), 'logs/timeline.png')).equals(PNG)).toBe(true);
      expect((await verifyCase(h)).problems).toEqual([]);

      // Again: nothing is imported twice, the nested bundle is found by its content.
      const again = await importInto(engine, caseId, [b]);
      expect(again.bundles.map((x) => [x.id, x.reused])).toEqual([[outer!.id, true], [nested!.id, true]]);
      expect(again.files.every((f) => f.skipped)).toBe(true);
      expect(file(again, 'logs/archive/old.tar.gz').note).toBe(file(res, 'logs/archive/old.tar.gz').note);
      expect((await verifyCase(h)).problems).toEqual([]);
    });
  }, 60_000);

  it('imports the same archive twice over (two names, one content) once', async () => {
    const root = newRoot();
    const src = path.join(root, 'src');
    writeAt(src, 'logs/celery/worker.log', CELERY);
    const b = path.join(root, 'bundle');
    await tar.c({ file: writeAt(b, 'a/old.tar', ''), cwd: src }, ['logs']);
    writeAt(b, 'b/copy.tar', readFileSync(path.join(b, 'a/old.tar')));
    await withEngineCase(root, 'nested', async (engine, caseId, h) => {
      const res = await importInto(engine, caseId, [b]);
      expect(res.bundles).toHaveLength(2);
      expect(file(res, 'a/old.tar')).toMatchObject({ format: 'archive', records: 0 });
      expect(file(res, 'b/copy.tar').aliasOf).toEqual({ bundle: res.bundles[0]!.id, file: 'a/old.tar' });
      expect(res.files.filter((f) => f.file === 'logs/celery/worker.log')).toHaveLength(1);
      const [n] = await h.db.read<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM events WHERE file = 'logs/celery/worker.log'`);
      expect(n!.n).toBe(3);
      expect((await verifyCase(h)).problems).toEqual([]);
    });
  });

  it('a damaged nested archive, a bomb and an escaping member do not fail the import: the logs import, each archive says why', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    writeAt(b, 'logs/celery/worker.log', CELERY);
    // Truncated .tar.gz.
    const src = path.join(root, 'src');
    for (let i = 0; i < 20; i++) writeAt(src, `logs/f${i}.log`, `${'x'.repeat(3000)} ${Math.random()}\n`.repeat(50));
    const cut = writeAt(b, 'archive/cut.tar.gz', '');
    await tar.c({ gzip: true, file: cut, cwd: src }, ['logs']);
    truncateSync(cut, Math.floor(statSync(cut).size / 2));
    // A zip bomb: 100 MiB of zeros in ~100 KB, past the 200:1 ratio (streamed into zip, never on disk).
    const zeros = spawnSync('sh', ['-c', `head -c ${100 * 1024 * 1024} /dev/zero | zip -q -9 ${JSON.stringify(path.join(b, 'archive/bomb.zip'))} -`]);
    expect(zeros.status).toBe(0);
    // A member named to escape the bundle.
    writeAt(root, 'evil-src/x.log', 'escaped\n');
    await tar.c({ file: writeAt(b, 'archive/evil.tar', ''), cwd: path.join(root, 'evil-src'), onWriteEntry: (e) => { e.path = '../../escape.log'; } }, ['x.log']);
    // The same in a zip (Info-ZIP will not write such a name).
    writeAt(b, 'archive/evil.zip', storedZip('../up.log', Buffer.from('up\n')));
    await withEngineCase(root, 'nested', async (engine, caseId, h) => {
      const res = await importInto(engine, caseId, [b]);
      const outer = res.bundles[0]!;
      expect(file(res, 'logs/celery/worker.log')).toMatchObject({ records: 3 });
      expect(file(res, 'archive/cut.tar.gz')).toMatchObject({ format: 'archive', records: 0 });
      expect(file(res, 'archive/cut.tar.gz').note).toMatch(/^tar archive \(gzip-compressed\): kept as evidence, not read as log lines; its contents could not be imported: cut\.tar\.gz is damaged or truncated/);
      expect(file(res, 'archive/bomb.zip').note).toMatch(/^zip archive: kept as evidence, not read as log lines; its contents could not be imported: bomb\.zip expands more than 200:1 .*refused as a decompression bomb/);
      expect(outer.notes).toEqual(expect.arrayContaining([
        expect.stringMatching(/^archive\/cut\.tar\.gz: an archive whose contents could not be imported \(the archive itself is kept as evidence\): cut\.tar\.gz is damaged/),
        expect.stringMatching(/^archive\/bomb\.zip: an archive whose contents could not be imported .*decompression bomb/),
      ]));
      // The escaping member lands nowhere outside the case's bundle folders, whatever became of its archive.
      expect(existsSync(path.join(root, 'escape.log'))).toBe(false);
      expect(existsSync(path.join(h.files.bundles, '..', 'escape.log'))).toBe(false);
      expect(file(res, 'archive/evil.tar')).toMatchObject({ format: 'archive', records: 0 });
      expect(file(res, 'archive/evil.tar').note).toMatch(/its contents could not be imported: evil\.tar holds a member whose name leaves the archive's folder \(path contains '\.\.'\): refused/);
      expect(file(res, 'archive/evil.zip').note).toMatch(/its contents could not be imported: evil\.zip holds a member whose name leaves the archive's folder \(invalid relative path: \.\.\/up\.log\): refused/);
      expect(res.bundles.some((x) => x.from?.file === 'archive/evil.tar' || x.from?.file === 'archive/evil.zip')).toBe(false);
      expect(existsSync(path.join(h.files.bundles, 'up.log'))).toBe(false);
      expect(readdirSync(h.files.bundles).filter((e) => e.startsWith('.incoming-'))).toEqual([]);
      expect((await verifyCase(h)).problems).toEqual([]);
    });
  }, 120_000);

  it('an archive refused at one import and expanded at a later one (a limit raised) has its note brought up to date', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    writeAt(b, 'logs/celery/worker.log', CELERY);
    const src = path.join(root, 'src');
    writeAt(src, 'logs/celery/old.log', [4, 5, 6].map(celery).join('\n') + '\n' + `${'y'.repeat(4000)}\n`);
    await tar.c({ gzip: true, file: writeAt(b, 'archive/old.tar.gz', ''), cwd: src }, ['logs']);
    await withEngineCase(root, 'renoted', async (engine, caseId, h) => {
      process.env.CASEFILE_MAX_FILE_BYTES = '3000';
      let first: ImportResult;
      try { first = await importInto(engine, caseId, [b]); } finally { delete process.env.CASEFILE_MAX_FILE_BYTES; }
      // The sizes of a small cap read in its own unit, not as "0.0 MiB over the 0.0 MiB limit".
      expect(file(first, 'archive/old.tar.gz').note).toMatch(/its contents could not be imported: .* is \d+\.\d KiB, over the 2\.9 KiB per-file limit/);
      const again = await importInto(engine, caseId, [b]);
      const inner = again.bundles.find((x) => x.from?.file === 'archive/old.tar.gz');
      expect(inner).toBeDefined();
      const [row] = await h.db.read<{ note: string }>(`SELECT note FROM files WHERE bundle = '${first.bundles[0]!.id}' AND path = 'archive/old.tar.gz'`);
      expect(file(again, 'archive/old.tar.gz').note).toMatch(/(was|were) imported as bundle/);
      expect(row!.note).toMatch(new RegExp(`its 1 file was imported as bundle ${inner!.id}$`));
      expect((await verifyCase(h)).problems).toEqual([]);
    });
  }, 120_000);

  it('an operator override still reads a binary or an archive as lines', async () => {
    const root = newRoot();
    const b = path.join(root, 'bundle');
    writeAt(b, 'logs/timeline.png', PNG);
    writeAt(root, 'src/logs/a.log', 'inside\n');
    await tar.c({ file: writeAt(b, 'logs/old.tar', ''), cwd: path.join(root, 'src') }, ['logs']);
    await withEngineCase(root, 'nested', async (engine, caseId, h) => {
      const res = await importInto(engine, caseId, [b], [{ format: 'raw', glob: 'logs/*' }]);
      expect(res.bundles).toHaveLength(1); // the archive read as lines is not expanded
      expect(file(res, 'logs/timeline.png')).toMatchObject({ format: 'raw', reason: 'operator override: raw=logs/*' });
      expect(file(res, 'logs/timeline.png').records).toBeGreaterThan(0);
      expect(file(res, 'logs/old.tar').records).toBeGreaterThan(0);
      expect((await verifyCase(h)).problems).toEqual([]);
    });
  });
});

describe('a pulled bundle', () => {
  it('expands an archive pulled with the logs, as an import from a folder does', async () => {
    const root = newRoot();
    const h = await CaseHandle.create(path.join(root, 'case'), { name: 'pulled' });
    try {
      // A pull's finished tree (in the case folder, as a pull leaves it), handed to the evidence store.
      const tree = path.join(root, 'case', 'pull-tree');
      writeAt(path.join(root, 'src'), 'logs/celery/worker.log', CELERY);
      await tar.c({ gzip: true, file: writeAt(tree, 'logs/archive/old.tar.gz', ''), cwd: path.join(root, 'src') }, ['logs']);
      writeAt(tree, 'logs/timeline.png', PNG);
      const files = await Promise.all(['logs/archive/old.tar.gz', 'logs/timeline.png'].map(async (rel) => {
        const st = statSync(path.join(tree, rel));
        const sha256 = await sha256File(path.join(tree, rel));
        return { path: rel, size: st.size, mtime: st.mtime.toISOString(), sha256, remote: { path: `/srv/${rel}`, size: st.size, mtime: st.mtime.toISOString(), sha256 } };
      }));
      const adopted = await adoptPulledTree(h.files.bundles, tree, files, { kind: 'sftp', inputs: ['acme:/srv'], profile: 'acme', root: '/srv', pullId: 'p1', hosts: [] });
      const res = await importBundles(h, [adopted.id]);
      expect(res.bundles.map((x) => x.id)).toEqual([adopted.id, expect.stringMatching(/^[0-9a-f]{16}$/)]);
      expect(res.bundles[1]!.from).toEqual({ bundle: adopted.id, file: 'logs/archive/old.tar.gz' });
      expect(file(res, 'logs/archive/old.tar.gz').note).toBe(`tar archive (gzip-compressed): kept as evidence, not read as log lines; its 1 file was imported as bundle ${res.bundles[1]!.id}`);
      expect(file(res, 'logs/timeline.png')).toMatchObject({ format: 'binary', records: 0 });
      expect(file(res, 'logs/celery/worker.log')).toMatchObject({ bundle: res.bundles[1]!.id, format: 'celery', records: 3 });
    } finally { await h.close(); }
  });
});

describe('through the CLI', () => {
  it('imports the demo bundle nested in a folder beside a screenshot, shows the notes, and verify passes', () => {
    const root = newRoot();
    const t = path.join(root, 't');
    writeAt(t, 'logs/archive/old.tar.gz', readFileSync(path.join(REPO, 'resources/demo/demo-bundle.tar.gz')));
    writeAt(t, 'logs/timeline.png', PNG);
    const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
    const caseDir = path.join(root, 'case');
    const out = execFileSync(process.execPath, [CLI_BIN, 'import', t, '--case', caseDir], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(out).toMatch(/PNG image: kept as evidence, not read as log lines/);
    expect(out).toMatch(/tar archive \(gzip-compressed\): kept as evidence, not read as log lines; its 17 files were imported as bundle [0-9a-f]{16}/);
    expect(out).toMatch(/bundle [0-9a-f]{16}: the contents of the archive [0-9a-f]{16}\/logs\/archive\/old\.tar\.gz/);
    // The archive's tar headers are not read as a pipeline log any more, and feed no timezone evidence.
    const json = JSON.parse(execFileSync(process.execPath, [CLI_BIN, 'stats', '--case', caseDir, '--json'], { env, encoding: 'utf8', maxBuffer: 1 << 26 })) as { byFile: { file: string; format: string; records: string; note: string }[] };
    expect(json.byFile.find((f) => f.file === 'logs/archive/old.tar.gz')).toMatchObject({ format: 'archive', records: '0' });
    expect(json.byFile.find((f) => f.file === 'logs/timeline.png')).toMatchObject({ format: 'binary', records: '0' });
    expect(json.byFile.filter((f) => f.file.startsWith('enrich/'))).toHaveLength(17);
    const verify = spawnSync(process.execPath, [CLI_BIN, 'verify', '--case', caseDir], { env, encoding: 'utf8' });
    expect(verify.stdout + verify.stderr).toMatch(/Chain of custody OK/);
    expect(verify.status).toBe(0);
  }, 120_000);
});
