// Truncation and forgery of the audit log (issue 8, item 6): an append checks the end of the log against its head
// record before writing and records a tear instead of writing over it; `audit verify` fails until the operator
// acknowledges it; entries carry an HMAC keyed by a per-install secret outside the case.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendAudit, hashEntry, readAudit, verifyAudit, type AuditEntry } from './trail';
import { canonicalJson } from './canonical';
import { tempDir, removeDir } from '../../testkit/tmp';
import { CLI_BIN } from '../../testkit/cliChild';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function root(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

function cli(home: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, CASEFILE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    c.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    c.on('close', (code) => resolve({ code, out }));
  });
}

describe('a truncated audit log is not erased by the next command', () => {
  it('records the tear, fails verify until acknowledged, then passes', async () => {
    const r = root();
    const home = path.join(r, 'home');
    const src = path.join(r, 'src');
    mkdirSync(src);
    writeFileSync(path.join(src, 'a.log'), 'hello\n');
    const caseDir = path.join(r, 'case');
    expect((await cli(home, ['import', src, '--case', caseDir])).code).toBe(0);
    expect((await cli(home, ['stats', '--case', caseDir])).code).toBe(0);
    const log = path.join(caseDir, 'audit.jsonl');
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    const cut = JSON.parse(lines.at(-1)!) as AuditEntry;
    writeFileSync(log, lines.slice(0, -1).join('\n') + '\n'); // delete the last line
    expect((await cli(home, ['stats', '--case', caseDir])).code).toBe(0);
    const bad = await cli(home, ['audit', 'verify', '--case', caseDir]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(new RegExp(`expected entry ${cut.seq} \\(${cut.hash.slice(0, 16)}`));
    const tear = (await readAudit(log, { action: 'audit.tear' }))[0]!;
    expect(tear.params).toMatchObject({ expectedSeq: cut.seq, expectedHash: cut.hash, foundSeq: cut.seq - 1 });
    const ack = await cli(home, ['audit', 'ack', '--case', caseDir, '--seq', String(tear.seq), '--note', 'restored from backup: lost entry was a stats call']);
    expect(ack.code, ack.out).toBe(0);
    const good = await cli(home, ['audit', 'verify', '--case', caseDir]);
    expect(good.code, good.out).toBe(0);
    expect(good.out).toMatch(/Note: 1 tear acknowledged/); // not '1 tear(s)'
  }, 120_000);
});

describe('entry MACs keyed by the install secret', () => {
  it('are valid as written, absent-key when the secret is elsewhere, invalid after a forger re-hashes the chain', async () => {
    const r = root();
    const home = path.join(r, 'home');
    process.env.CASEFILE_HOME = home;
    const file = path.join(r, 'audit.jsonl');
    for (let i = 1; i <= 3; i++) await appendAudit(file, { action: 'events.query', params: { i }, result: { status: 'ok' }, via: 'test' });
    const key = path.join(home, 'audit.key');
    expect(statSync(key).mode & 0o777).toBe(0o600);
    const v = await verifyAudit(file);
    expect(v).toMatchObject({ ok: true, mac: { status: 'valid', entries: 3 } });

    // A forger without the secret edits entry 2 and recomputes every hash after it (and the head record).
    const entries = readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    entries[1]!.params = { i: 99 };
    let prev = entries[0]!.hash;
    for (const e of entries.slice(1)) { e.prev = prev; e.hash = hashEntry(e); prev = e.hash; }
    writeFileSync(file, entries.map((e) => canonicalJson(e)).join('\n') + '\n');
    writeFileSync(`${file}.head`, JSON.stringify({ seq: 3, hash: prev, time: entries[2]!.time }));
    const forged = await verifyAudit(file);
    expect(forged.ok).toBe(false);
    expect(forged.mac).toMatchObject({ status: 'invalid', firstInvalidSeq: 2 });
    expect(forged.firstBroken?.problem).toMatch(/MAC/);

    // On a machine without the secret the chain still verifies; the MACs cannot be checked and it says so.
    rmSync(key);
    process.env.CASEFILE_HOME = path.join(r, 'other-home');
    const elsewhere = await verifyAudit(file);
    expect(elsewhere.mac).toMatchObject({ status: 'key_absent' });
    expect(elsewhere.ok).toBe(true);
  });
});
