import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { appendAudit, auditHead, GENESIS, hashEntry, headFile, readAudit, TORN_ACTION, verifyAudit, type AuditEntry } from './trail';
import { canonicalJson } from './canonical';
import { sanitizeParams } from './bound';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'casefile-audit-'));
  file = path.join(dir, 'audit.jsonl');
});
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

async function writeEntries(n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await appendAudit(file, { action: i % 2 ? 'events.query' : 'cases.open', params: { i }, result: { status: 'ok', counts: { rows: i } }, via: 'test', caseId: 'c1' });
  }
}
const lines = async () => (await fs.readFile(file, 'utf8')).split('\n').filter((l) => l.length > 0);
const writeLines = (ls: string[]) => fs.writeFile(file, ls.join('\n') + '\n');

describe('audit trail: append and read', () => {
  it('chains entries from the genesis value, owner-only, with build and operator info', async () => {
    process.env.CASEFILE_OPERATOR = 'Ada Analyst';
    try { await writeEntries(3); } finally { delete process.env.CASEFILE_OPERATOR; }
    const entries = await readAudit(file);
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]!.prev).toBe(GENESIS);
    expect(entries[1]!.prev).toBe(entries[0]!.hash);
    for (const e of entries) expect(hashEntry(e)).toBe(e.hash);
    expect(entries[0]!.operator.name).toBe('Ada Analyst');
    expect(entries[0]!.operator.osUser).toBe(os.userInfo().username);
    expect(entries[0]!.host).toBe(os.hostname());
    expect(entries[0]!.app.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(entries[0]!.app.commit).toMatch(/^([0-9a-f]{40}|unknown)$/);
    expect(entries[0]!.app.depsDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(entries[0]!.time)).not.toBeNaN();
    expect(entries[0]!.time.endsWith('Z')).toBe(true);
    // Lines are canonical JSON, so the stored text is exactly what was hashed (plus the hash).
    expect((await lines())[0]).toBe(canonicalJson(entries[0]));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(headFile(file)).mode & 0o777).toBe(0o600);
    expect(await auditHead(file)).toEqual({ seq: 3, hash: entries[2]!.hash });
    expect((await verifyAudit(file)).ok).toBe(true);
  });

  it('filters by action, since and limit', async () => {
    await writeEntries(5);
    expect((await readAudit(file, { action: 'cases.open' })).map((e) => e.seq)).toEqual([2, 4]);
    expect((await readAudit(file, { action: 'events.*' })).map((e) => e.seq)).toEqual([1, 3, 5]);
    expect((await readAudit(file, { limit: 2 })).map((e) => e.seq)).toEqual([4, 5]);
    expect(await readAudit(file, { since: '2999-01-01' })).toEqual([]);
    expect((await readAudit(file, { since: '2000-01-01' })).length).toBe(5);
    expect(await readAudit(path.join(dir, 'none.jsonl'))).toEqual([]);
    expect(await auditHead(path.join(dir, 'none.jsonl'))).toBeNull();
  });

  it('scrubs secret-looking text from messages and bounds binary params (secret params are dropped per call, by the contract policy)', async () => {
    const secret = 'correct-horse-battery-staple-42';
    await appendAudit(file, {
      action: 'credentials.reveal',
      params: { host: 'jump1', key: 'celery-4f2a', blob: new Uint8Array(1000) },
      result: { status: 'error', message: `login failed: password=${secret} rejected` },
      via: 'test',
    });
    const text = await fs.readFile(file, 'utf8');
    expect(text).not.toContain(secret);
    const e = (await readAudit(file))[0]!;
    expect(e.params).toMatchObject({ host: 'jump1', key: 'celery-4f2a' }); // no guessing from names
    expect(e.result.message).toBe('login failed: password=[redacted] rejected');
    expect(e.params.blob).toEqual({ bytes: 1000, sha256: expect.any(String) });
    expect((await verifyAudit(file)).ok).toBe(true);
  });

  it('truncates long strings and big lists', () => {
    const out = sanitizeParams({ sql: 'x'.repeat(10_000), ids: Array.from({ length: 1000 }, (_, i) => i) });
    expect((out.sql as string).length).toBeLessThan(400);
    expect(out.sql).toMatch(/more chars not logged/);
    expect((out.ids as unknown[]).length).toBe(101);
  });

  it('is idempotent (the engine may sanitize before appendAudit does)', () => {
    const once = sanitizeParams({ host: 'h', nested: { deep: 1 }, sql: 'y'.repeat(5000), n: 1 });
    expect(sanitizeParams(once)).toEqual(once);
  });
});

describe('audit trail: verify detects tampering', () => {
  beforeEach(() => writeEntries(6));

  it('passes on an untouched log', async () => {
    const r = await verifyAudit(file);
    expect(r).toMatchObject({ ok: true, entries: 6, headSeq: 6, firstBroken: null, tornTail: false });
    expect(r.headHash).toBe((await auditHead(file))!.hash);
  });

  it('an edited field', async () => {
    const ls = await lines();
    ls[2] = ls[2]!.replace('"rows":3', '"rows":30');
    await writeLines(ls);
    const r = await verifyAudit(file);
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: 3, line: 3 });
    expect(r.firstBroken!.problem).toMatch(/edited/);
  });

  it('an edited entry whose hash was recomputed fails its MAC, and without MACs breaks the next link', async () => {
    const ls = await lines();
    const e = JSON.parse(ls[2]!) as AuditEntry;
    e.action = 'nothing.to.see';
    e.hash = hashEntry(e);
    ls[2] = canonicalJson(e);
    await writeLines(ls);
    const r = await verifyAudit(file);
    expect(r.firstBroken).toMatchObject({ seq: 3, line: 3 });
    expect(r.firstBroken!.problem).toMatch(/MAC does not match/);
    // The chain rule alone (a log written before MACs) still catches it at the next link.
    await writeLines(ls.map((l) => canonicalJson({ ...(JSON.parse(l) as AuditEntry), mac: undefined })));
    const plain = await verifyAudit(file);
    expect(plain.firstBroken).toMatchObject({ seq: 4, line: 4 });
    expect(plain.firstBroken!.problem).toMatch(/does not chain/);
  });

  it('a deleted line', async () => {
    const ls = await lines();
    ls.splice(3, 1);
    await writeLines(ls);
    const r = await verifyAudit(file);
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: 5, line: 4 });
    expect(r.firstBroken!.problem).toMatch(/entry 4 was deleted/);
  });

  it('two swapped lines', async () => {
    const ls = await lines();
    [ls[1], ls[2]] = [ls[2]!, ls[1]!];
    await writeLines(ls);
    const r = await verifyAudit(file);
    expect(r.firstBroken).toMatchObject({ seq: 3, line: 2 });
    expect(r.firstBroken!.problem).toMatch(/reordered/);
  });

  it('a truncated file (whole entries cut off the end)', async () => {
    const ls = await lines();
    await writeLines(ls.slice(0, 4));
    const r = await verifyAudit(file);
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ seq: 5, line: 5 });
    expect(r.firstBroken!.problem).toMatch(/truncated/);
  });

  it('a truncated file (cut mid-line) is a torn tail', async () => {
    const text = await fs.readFile(file);
    await fs.writeFile(file, text.subarray(0, text.length - 40));
    const r = await verifyAudit(file);
    expect(r).toMatchObject({ ok: false, tornTail: true });
    expect(r.firstBroken).toMatchObject({ seq: null, line: 6 });
  });

  it('an emptied file and a deleted file', async () => {
    await fs.writeFile(file, '');
    expect((await verifyAudit(file)).firstBroken!.problem).toMatch(/truncated/);
    await fs.rm(file);
    expect((await verifyAudit(file)).firstBroken!.problem).toMatch(/missing/);
  });

  it('a forged line inserted with a valid-looking hash', async () => {
    const ls = await lines();
    const before = JSON.parse(ls[2]!) as AuditEntry;
    const forged: Omit<AuditEntry, 'hash'> = { ...before, seq: 4, action: 'export.create', prev: before.hash, time: new Date().toISOString() };
    ls.splice(3, 0, canonicalJson({ ...forged, hash: hashEntry(forged) }));
    await writeLines(ls);
    const r = await verifyAudit(file);
    expect(r.ok).toBe(false);
    // The forgery chains, but its copied MAC is not of its hash.
    expect(r.firstBroken).toMatchObject({ seq: 4, line: 4 });
    expect(r.firstBroken!.problem).toMatch(/MAC does not match/);
    // Without MACs: the forgery itself chains; the real entry 4 right after it no longer does.
    await writeLines(ls.map((l) => canonicalJson({ ...(JSON.parse(l) as AuditEntry), mac: undefined })));
    const plain = await verifyAudit(file);
    expect(plain.firstBroken).toMatchObject({ seq: 4, line: 5 });
    expect(plain.firstBroken!.problem).toMatch(/inserted/);
  });

  it('a forged line inserted by hand (bad hash)', async () => {
    const ls = await lines();
    const e = JSON.parse(ls[2]!) as AuditEntry;
    ls.splice(3, 0, canonicalJson({ ...e, seq: 4, action: 'export.create' }));
    await writeLines(ls);
    const r = await verifyAudit(file);
    expect(r.firstBroken).toMatchObject({ seq: 4, line: 4 });
  });

  it('a garbage line in the middle', async () => {
    const ls = await lines();
    ls.splice(2, 0, 'not json at all');
    await writeLines(ls);
    const r = await verifyAudit(file);
    expect(r.firstBroken).toMatchObject({ seq: null, line: 3 });
    expect(r.tornTail).toBe(false);
  });
});

describe('audit trail: torn tail (kill -9 mid-write)', () => {
  it('is reported by verify, then recorded (not repaired) by the next append', async () => {
    await writeEntries(3);
    const good = await fs.readFile(file);
    const partial = '{"action":"events.query","app":{"commit":"ab';
    await fs.appendFile(file, partial);

    const torn = await verifyAudit(file);
    expect(torn).toMatchObject({ ok: false, tornTail: true, headSeq: 3 });
    expect(torn.firstBroken).toMatchObject({ seq: null, line: 4 });
    expect(torn.firstBroken!.problem).toMatch(/incomplete/);
    expect(await auditHead(file)).toMatchObject({ seq: 3 });

    const next = await appendAudit(file, { action: 'cases.open', params: {}, result: { status: 'ok' }, via: 'test' });
    expect(next.seq).toBe(5);
    const after = await fs.readFile(file);
    // The torn bytes are still there, untouched, on a line of their own.
    expect(after.subarray(0, good.length + partial.length).equals(Buffer.concat([good, Buffer.from(partial)]))).toBe(true);
    const entries = await readAudit(file);
    expect(entries.map((e) => [e.seq, e.action])).toEqual([[1, 'events.query'], [2, 'cases.open'], [3, 'events.query'], [4, TORN_ACTION], [5, 'cases.open']]);
    expect(entries[3]!.prev).toBe(entries[2]!.hash);
    expect(entries[3]!.params).toMatchObject({ tornBytes: partial.length + 1, afterSeq: 3, headSeq: 3 });

    const r = await verifyAudit(file);
    expect(r).toMatchObject({ ok: true, entries: 5, tornTail: false, recordedTears: 1, headSeq: 5 });
  });

  it('a torn tail cannot launder a deleted acknowledged entry', async () => {
    await writeEntries(3);
    const ls = await lines();
    // Replace the last, acknowledged entry by garbage: the next append records it, but verify still fails.
    await fs.writeFile(file, ls.slice(0, 2).join('\n') + '\n{"garbage');
    await appendAudit(file, { action: 'cases.open', params: {}, result: { status: 'ok' }, via: 'test' });
    const r = await verifyAudit(file);
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ line: 3 });
  });

  it('a complete last entry that lost only its newline is chained onto', async () => {
    await writeEntries(2);
    const text = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, text.slice(0, -1));
    await appendAudit(file, { action: 'cases.open', params: {}, result: { status: 'ok' }, via: 'test' });
    expect((await readAudit(file)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await verifyAudit(file)).ok).toBe(true);
  });
});

describe('audit trail: concurrent appenders', () => {
  it('two processes appending 200 entries each keep one valid chain of 400', async () => {
    const worker = fileURLToPath(new URL('../../testkit/appendMany.ts', import.meta.url));
    const start = (tag: string) => {
      const child = spawn(process.execPath, ['--import', 'tsx', worker, file, '200', tag], { stdio: ['pipe', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.on('exit', (code) => reject(new Error(`worker ${tag} exited ${code} before it was ready: ${err}`)));
      });
      const done = new Promise<void>((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker ${tag} exited ${code}: ${err}`))));
      });
      return { child, ready, done };
    };
    const workers = [start('A'), start('B')];
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.child.stdin.end('go\n');
    // Also append from this process meanwhile, through the same lock.
    const local = (async () => { for (let i = 0; i < 20; i++) await appendAudit(file, { action: 'test.local', params: { i }, result: { status: 'ok' }, via: 'test' }); })();
    await Promise.all([...workers.map((w) => w.done), local]);
    const r = await verifyAudit(file);
    expect(r).toMatchObject({ ok: true, entries: 420, headSeq: 420, tornTail: false });
    const entries = await readAudit(file, { action: 'test.concurrent' });
    expect(entries.filter((e) => e.params.writer === 'A').length).toBe(200);
    expect(entries.filter((e) => e.params.writer === 'B').length).toBe(200);
    // Both writers really interleaved, so the lock was exercised.
    const switches = entries.slice(1).filter((e, i) => e.params.writer !== entries[i]!.params.writer).length;
    expect(switches).toBeGreaterThan(1);
    await expect(fs.access(`${file}.lock`)).rejects.toThrow();
    await expect(fs.access(`${file}.lock.waiting`)).rejects.toThrow();
  }, 120_000);

  it('survives a writer killed with SIGKILL mid-stream (stale lock, lagging head)', async () => {
    const worker = fileURLToPath(new URL('../../testkit/appendMany.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', worker, file, '100000', 'K'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise((r) => child.stdout.once('data', r));
    child.stdin.end('go\n');
    // Let it get well into its appends, then kill it without warning.
    for (let i = 0; i < 400 && !(await fs.stat(file).catch(() => null)); i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const before = (await readAudit(file)).length;
    expect(before).toBeGreaterThan(0);
    const h = await appendAudit(file, { action: 'cases.open', params: {}, result: { status: 'ok' }, via: 'test' });
    const r = await verifyAudit(file);
    expect(r).toMatchObject({ ok: true, headSeq: h.seq });
    expect(r.entries).toBeGreaterThanOrEqual(before + 1);
  }, 60_000);

  it('breaks a stale lock left by a killed process', async () => {
    await fs.writeFile(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), nonce: 'x', since: new Date().toISOString() }));
    const h = await appendAudit(file, { action: 'cases.open', params: {}, result: { status: 'ok' }, via: 'test' });
    expect(h.seq).toBe(1);
  });

  it('a lock that is a pipe or a link to /dev/zero names no holder: moved aside once stale, never read (a pipe hung every append)', async () => {
    const lock = `${file}.lock`;
    const outside = path.join(dir, 'outside.txt');
    await fs.writeFile(outside, 'untouched');
    for (const make of [() => execFileSync('mkfifo', [lock]), () => symlinkSync('/dev/zero', lock), () => symlinkSync(outside, lock)]) {
      make();
      const old = new Date(Date.now() - 60_000);
      await fs.lutimes(lock, old, old);
      const t0 = Date.now();
      await appendAudit(file, { action: 'cases.open', params: {}, result: { status: 'ok' }, via: 'test' });
      expect(Date.now() - t0).toBeLessThan(10_000);
      await expect(fs.lstat(lock)).rejects.toThrow(/ENOENT/);
    }
    expect(await fs.readFile(outside, 'utf8')).toBe('untouched');
    expect((await verifyAudit(file)).ok).toBe(true);
  }, 60_000);
});
