// import.check: before an import, how many of the incoming files the case already holds (same sha256), counted
// through the same door as an import (links, devices, bombs refused or left out) and without importing anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, symlinkSync, truncateSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { calls } from '../../../shared/contract';
import type { ImportCheck, ImportCheckProgress } from '../../../shared/contract';
import type { CaseInfo } from '../../../shared/domain';
import { Engine } from '../engine';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';

const sys = (i: number) => JSON.stringify({ message: `m${i}`, levelname: 'INFO', name: 'app', asctime: '2023-07-30 00:13:45,400', created: 1690656225.4 + i });
const APP = [0, 1, 2].map(sys).join('\n') + '\n';
const CELERY = '[2023-07-06 12:07:36,774: INFO/MainProcess] hello\n';

let root: string;
let engine: Engine;
let caseId: string;
const check = (paths: string[]) => engine.invoke('import.check', { caseId, paths }) as Promise<ImportCheck>;
const state = async () => ({
  events: Number(((await engine.invoke('events.sql', { caseId, sql: 'SELECT count(*) AS n FROM events' })) as { rows: Record<string, unknown>[] }).rows[0]!.n),
  files: Number(((await engine.invoke('events.sql', { caseId, sql: 'SELECT count(*) AS n FROM files' })) as { rows: Record<string, unknown>[] }).rows[0]!.n),
  bundles: readdirSync(path.join(root, 'case', 'bundles')).length,
});

beforeAll(async () => {
  root = tempDir();
  writeAt(root, 'server/enrich/logs/app/app.json.log', APP);
  writeAt(root, 'server/enrich/logs/celery/w.log', CELERY);
  writeAt(root, 'server/enrich/logs/empty.log', '');
  process.env.CASEFILE_HOME = path.join(root, 'home');
  engine = await Engine.create({ via: 'test' });
  caseId = ((await engine.invoke('cases.create', { name: 'check', dir: path.join(root, 'case') })) as CaseInfo).id;
  await engine.invoke('import.paths', { caseId, paths: [path.join(root, 'server')] });
});
afterAll(async () => { await engine.close(); removeDir(root); });

describe('import.check', () => {
  it('counts files already in the case by content — folder, tarball, zip, loose file — and imports nothing', async () => {
    const before = await state();
    // The same logs packed one level lower, next to a new one; an empty file never counts as known.
    await tar.c({ gzip: true, file: path.join(root, 'again.tar.gz'), cwd: path.join(root, 'server', 'enrich') }, ['logs']);
    writeAt(root, 'mixed/copy-of-app.log', APP);
    writeAt(root, 'mixed/new.json.log', sys(9) + '\n');
    writeAt(root, 'mixed/empty.log', '');
    execFileSync('zip', ['-qr', path.join(root, 'again.zip'), 'logs'], { cwd: path.join(root, 'server', 'enrich') });

    const tgz = await check([path.join(root, 'again.tar.gz')]);
    expect(tgz).toMatchObject({ files: 3, known: 2, bytes: APP.length + CELERY.length });
    expect(tgz.already.map((a) => `${a.file} -> ${a.of.file}`).sort()).toEqual([
      'logs/app/app.json.log -> enrich/logs/app/app.json.log', 'logs/celery/w.log -> enrich/logs/celery/w.log',
    ]);
    expect(await check([path.join(root, 'again.zip')])).toMatchObject({ files: 3, known: 2 });
    expect(await check([path.join(root, 'mixed')])).toMatchObject({ files: 3, known: 1, already: [{ file: 'copy-of-app.log' }] });
    expect(await check([path.join(root, 'mixed', 'new.json.log')])).toMatchObject({ files: 1, known: 0, already: [] });
    expect(await check([path.join(root, 'server'), path.join(root, 'mixed')])).toMatchObject({ files: 6, known: 3 });
    expect(await state()).toEqual(before);

    // Audited like the import it precedes.
    const entries = (await engine.invoke('audit.list', { caseId, action: 'import.check', limit: 100 })) as unknown[];
    expect(entries.length).toBeGreaterThanOrEqual(5);
  });

  it('on a case that holds nothing yet (nothing to compare with) answers as a case that holds other content does, known 0', async () => {
    writeAt(root, 'first/logs/a.log', APP);
    writeAt(root, 'first/logs/b.log', CELERY);
    await tar.c({ gzip: true, file: path.join(root, 'first', 'packed.tar.gz'), cwd: path.join(root, 'server', 'enrich') }, ['logs']);
    const empty = (await engine.invoke('cases.create', { name: 'empty', dir: path.join(root, 'empty-case') })) as CaseInfo;
    const fresh = (await engine.invoke('import.check', { caseId: empty.id, paths: [path.join(root, 'first')] })) as ImportCheck;
    const held = await check([path.join(root, 'first')]);
    const plain = (c: ImportCheck) => ({ files: c.files, bytes: c.bytes, archives: c.archives, overridden: c.overridden });
    expect(plain(fresh)).toEqual(plain(held));
    expect(fresh).toMatchObject({ files: 6, known: 0, already: [], archives: [{ file: 'packed.tar.gz', action: 'expand', files: 3 }] });
    expect(held.known).toBeGreaterThan(0);
    await engine.invoke('cases.close', { caseId: empty.id });
  });

  it('takes the import door: no such path, a FIFO, a link out of the folder, a bomb, hostile archive names', async () => {
    await expect(check([path.join(root, 'nope')])).rejects.toThrow(/no such file or folder/);
    const fifo = path.join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(check([fifo])).rejects.toThrow(/not a regular file or folder/);
    // A link inside a folder is not evidence: left out, its target never read.
    writeAt(root, 'linked/real.log', 'x\n');
    symlinkSync(path.join(root, 'server', 'enrich', 'logs', 'app', 'app.json.log'), path.join(root, 'linked', 'link.log'));
    expect(await check([path.join(root, 'linked')])).toMatchObject({ files: 1, known: 0 });
    // Members named to escape ("../") are only read, never written anywhere.
    writeAt(root, 'evil-src/x.log', APP);
    await tar.c({ file: path.join(root, 'evil.tar'), cwd: path.join(root, 'evil-src'), onWriteEntry: (e) => { e.path = '../../escape.log'; } }, ['x.log']);
    expect(await check([path.join(root, 'evil.tar')])).toMatchObject({ files: 1, known: 1 });
    expect(readdirSync(root)).not.toContain('escape.log');
    // Past the per-file cap: refused while reading, whatever the header says.
    writeAt(root, 'big-src/big.log', 'y'.repeat(50_000));
    await tar.c({ gzip: true, file: path.join(root, 'big.tar.gz'), cwd: path.join(root, 'big-src') }, ['big.log']);
    process.env.CASEFILE_MAX_FILE_BYTES = '10000';
    try {
      await expect(check([path.join(root, 'big.tar.gz')])).rejects.toThrow(/per-file limit/);
    } finally { delete process.env.CASEFILE_MAX_FILE_BYTES; }
    // A truncated archive is a clear error.
    writeAt(root, 'cut.tar.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
    await expect(check([path.join(root, 'cut.tar.gz')])).rejects.toThrow(/damaged or truncated/);
  });

  it('looks inside the archives of a bundle and says what the import will do with each: expand, keep one level down, or refuse', async () => {
    const before = await state();
    // A folder holding the same logs packed (its members are the case's files), an archive inside that archive, a damaged one.
    const inner = path.join(root, 'nest-src');
    writeAt(inner, 'deep/deep.log', CELERY.replace('hello', 'deeper'));
    await tar.c({ gzip: true, file: writeAt(root, 'nest-src2/logs/deeper.tar.gz', ''), cwd: inner }, ['deep']);
    execFileSync('cp', ['-r', path.join(root, 'server', 'enrich', 'logs', 'app'), path.join(root, 'nest-src2', 'logs', 'app')]);
    await tar.c({ gzip: true, file: writeAt(root, 'nested/archive/packed.tar.gz', ''), cwd: path.join(root, 'nest-src2') }, ['logs']);
    for (let i = 0; i < 20; i++) writeAt(root, `cut-src/logs/f${i}.log`, `${'x'.repeat(3000)} ${Math.random()}\n`.repeat(50));
    const cut = writeAt(root, 'nested/archive/cut.tar.gz', '');
    await tar.c({ gzip: true, file: cut, cwd: path.join(root, 'cut-src') }, ['logs']);
    truncateSync(cut, Math.floor(statSync(cut).size / 2));
    writeAt(root, 'nested/new.log', CELERY.replace('hello', 'new'));
    const c = await check([path.join(root, 'nested')]);
    expect(c.archives).toEqual([
      { file: 'archive/cut.tar.gz', action: 'refused', why: expect.stringMatching(/cut\.tar\.gz is damaged or truncated/) as unknown },
      { file: 'archive/packed.tar.gz', action: 'expand', files: 2 },
      { file: 'archive/packed.tar.gz/logs/deeper.tar.gz', action: 'keep', why: expect.stringMatching(/one level deep only/) as unknown },
    ].sort((a, b) => (a.file < b.file ? -1 : 1)));
    // Three files of the folder and the two members of packed.tar.gz; app.json.log inside it is already in the case.
    expect(c).toMatchObject({ files: 5, known: 1, already: [{ file: 'logs/app/app.json.log', of: { file: 'enrich/logs/app/app.json.log' } }] });
    // An archive given itself is the bundle: the archives among its members are expanded in turn.
    expect((await check([path.join(root, 'nested', 'archive', 'packed.tar.gz')])).archives).toEqual([{ file: 'logs/deeper.tar.gz', action: 'expand' }]);
    expect(await state()).toEqual(before);
  });

  it('honours format overrides as the import does: given ones and the case\'s remembered ones', async () => {
    // An archive an override reads as lines is one file of the folder: not expanded, its members not counted.
    const inner = path.join(root, 'ov-src');
    writeAt(inner, 'logs/a.log', CELERY.replace('hello', 'ov-a'));
    writeAt(inner, 'logs/b.log', CELERY.replace('hello', 'ov-b'));
    await tar.c({ gzip: true, file: writeAt(root, 'ov/packed.tar.gz', ''), cwd: inner }, ['logs']);
    writeAt(root, 'ov/plain.log', CELERY.replace('hello', 'ov-plain'));
    const dir = path.join(root, 'ov');
    const plain = await check([dir]);
    expect(plain).toMatchObject({ files: 4, archives: [{ file: 'packed.tar.gz', action: 'expand', files: 2 }], overridden: 0 });
    const formatOverrides = [{ format: 'raw', glob: '**/*.tar.gz' }];
    const forced = await engine.invoke('import.check', { caseId, paths: [dir], formatOverrides }) as ImportCheck;
    expect(forced).toMatchObject({ files: 2, archives: [], overridden: 1 });

    // The import with the same overrides brings in what the check said; then the case remembers them for the next check.
    const other = ((await engine.invoke('cases.create', { name: 'check-ov', dir: path.join(root, 'case-ov') })) as CaseInfo).id;
    const res = await engine.invoke('import.paths', { caseId: other, paths: [dir], formatOverrides }) as { files: unknown[] };
    expect(res.files).toHaveLength(forced.files);
    const again = await engine.invoke('import.check', { caseId: other, paths: [dir] }) as ImportCheck;
    expect(again).toMatchObject({ files: 2, known: 2, archives: [], overridden: 1 });
    // An archive given itself is still the bundle (overrides name files inside bundles); its archive members follow them.
    await tar.c({ file: writeAt(root, 'ov2/outer.tar', ''), cwd: root }, ['ov']);
    expect(await engine.invoke('import.check', { caseId, paths: [path.join(root, 'ov2', 'outer.tar')], formatOverrides }))
      .toMatchObject({ files: 2, archives: [], overridden: 1 });
    expect(await check([path.join(root, 'ov2', 'outer.tar')])).toMatchObject({ archives: [{ file: 'ov/packed.tar.gz', action: 'expand' }], overridden: 0 });
  });

  it('on a case that holds evidence, says how far the hashing is (files and bytes of all) as it goes', async () => {
    const N = 40;
    for (let i = 0; i < N; i++) writeAt(root, `many/logs/f${i}.log`, `${sys(i)}\n`.repeat(4000));
    const bytes = Array.from({ length: N }, (_, i) => statSync(path.join(root, `many/logs/f${i}.log`)).size).reduce((a, b) => a + b, 0);
    const seen: ImportCheckProgress[] = [];
    const off = engine.on('import.checkProgress', (p) => { if (p.checkId === 'progress-1') seen.push(p); });
    const res = await engine.invoke('import.check', { caseId, paths: [path.join(root, 'many')], checkId: 'progress-1' }) as ImportCheck;
    off();
    expect(res).toMatchObject({ files: N, bytes: bytes });
    expect(seen[0]).toEqual({ caseId, checkId: 'progress-1', filesDone: 0, filesTotal: N, bytesDone: 0, bytesTotal: bytes });
    expect(seen.at(-1)).toEqual({ caseId, checkId: 'progress-1', filesDone: N, filesTotal: N, bytesDone: bytes, bytesTotal: bytes });
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.filesDone).toBeGreaterThanOrEqual(seen[i - 1]!.filesDone);
      expect(seen[i]!.bytesDone).toBeGreaterThanOrEqual(seen[i - 1]!.bytesDone);
    }
  });

  it('is cancelled by its caller\'s signal: it stops hashing and answers cancelled (recorded as such)', async () => {
    const stop = new AbortController();
    const seen: ImportCheckProgress[] = [];
    // Cancelled as the hashing starts (its first progress), as the panel's Cancel does.
    const off = engine.on('import.checkProgress', (p) => { if (p.checkId === 'cancel-1') { seen.push(p); stop.abort(); } });
    const err = await engine.invoke('import.check', { caseId, paths: [path.join(root, 'many')], checkId: 'cancel-1' }, { signal: stop.signal }).catch((e: unknown) => e);
    off();
    expect(err).toMatchObject({ error: { code: 'cancelled' } });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some((p) => p.filesDone === p.filesTotal)).toBe(false);
    const entries = (await engine.invoke('audit.list', { caseId, action: 'import.check', limit: 1 })) as { result: { status: string; message?: string } }[];
    expect(entries[0]!.result).toMatchObject({ status: 'error', message: expect.stringMatching(/cancelled/) });
  });

  it('the contract bounds the request', () => {
    const input = calls['import.check'].input;
    expect(input.safeParse({ caseId, paths: ['/x'] }).success).toBe(true);
    expect(input.safeParse({ caseId, paths: [] }).success).toBe(false);
    expect(input.safeParse({ caseId, paths: Array.from({ length: 1001 }, (_, i) => `/x${i}`) }).success).toBe(false);
    expect(input.safeParse({ caseId, paths: ['/' + 'a'.repeat(5000)] }).success).toBe(false);
    expect(input.safeParse({ caseId, paths: ['/x'], formatOverrides: [{ format: 'raw', glob: '*.log' }] }).success).toBe(true);
    expect(input.safeParse({ caseId, paths: ['/x'], formatOverrides: Array.from({ length: 101 }, () => ({ format: 'raw', glob: '*' })) }).success).toBe(false);
  });
});
