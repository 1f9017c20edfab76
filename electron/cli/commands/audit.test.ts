import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fsSync, { promises as fs } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { CaseHandle } from '../../engine/case/caseStore';
import { appendAudit, readAudit } from '../../engine/audit/trail';
import { registerAuditCommands } from './audit';

let dir: string;
let caseDir: string;

const home = process.env.CASEFILE_HOME;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'casefile-cli-audit-'));
  process.env.CASEFILE_HOME = path.join(dir, 'home');
  caseDir = path.join(dir, 'case');
  const h = await CaseHandle.create(caseDir, { name: 'cli audit' });
  for (const action of ['cases.create', 'events.query', 'events.query', 'export.create']) {
    await appendAudit(h.files.audit, { action, params: { q: action }, result: { status: 'ok' }, via: 'test', caseId: h.meta.id });
  }
  await h.close();
});
afterEach(async () => {
  process.exitCode = undefined;
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  await fs.rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command().exitOverride();
  registerAuditCommands(program);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { stdout += String(s); return true; });
  process.exitCode = undefined;
  try { await program.parseAsync(args, { from: 'user' }); } finally { spy.mockRestore(); }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { stdout, exitCode };
}

describe('casefile audit / verify commands', () => {
  it('audit verify passes, records itself, and fails with the first broken entry after an edit', async () => {
    const ok = await run('audit', 'verify', '--case', caseDir);
    expect(ok.exitCode).toBe(0);
    // 4 written above + the cases.open of this command (the CLI opens the case through the contract, audited).
    expect(ok.stdout).toMatch(/Audit log OK: 5 entries/);
    const audit = path.join(caseDir, 'audit.jsonl');
    expect((await readAudit(audit)).at(-1)).toMatchObject({ action: 'audit.verify', via: 'cli', result: { status: 'ok' } });

    const lines = (await fs.readFile(audit, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('events.query', 'events.nothing');
    await fs.writeFile(audit, lines.join('\n'));
    const bad = await run('audit', 'verify', '--case', caseDir);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toMatch(/BROKEN at entry 2 \(line 2\): .*edited/);
    expect(bad.stdout).toMatch(/^Entry 1 chains correctly; from the break on, the last 6 entries cannot be verified\.$/m);
    expect(bad.stdout).toMatch(/^MACs: 1 entry carries a valid MAC under this installation's audit secret \(of the entries checked before the break\)\.$/m);
    // The check is on the trail as a failed one, like any failed action.
    expect((await readAudit(audit)).at(-1)).toMatchObject({ action: 'audit.verify', via: 'cli', result: { status: 'error', message: expect.stringMatching(/^verification failed at entry 2: /) } });
    const json = await run('audit', 'verify', '--case', caseDir, '--json');
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBroken: { seq: 2, line: 2 } });
  });

  it('audit verify after a cut tail tells one story: the tear, what chains before the cut and since', async () => {
    const audit = path.join(caseDir, 'audit.jsonl');
    expect((await run('audit', 'verify', '--case', caseDir)).exitCode).toBe(0);
    // Entries 5 and 6 (this run's cases.open and audit.verify) cut off; the next command's cases.open records the tear.
    const lines = (await fs.readFile(audit, 'utf8')).trimEnd().split('\n');
    await fs.writeFile(audit, lines.slice(0, 4).join('\n') + '\n');
    const bad = await run('audit', 'verify', '--case', caseDir);
    expect(bad.exitCode).toBe(1);
    const out = bad.stdout.split('\n');
    expect(out[0]).toMatch(/^Audit log BROKEN at entry 5 \(line 5, the tear record\): Entries were cut off or rewritten: expected entry 6 .* found the log ending at entry 4; recorded by entry 5/);
    expect(out[1]).toBe('Entries 1–4 (before the cut) and entries 5–6 (written since, starting with the tear record) chain correctly; the entries that were cut off or rewritten cannot be verified.');
    expect(out[2]).toMatch(/^Last entry that chains: #6 [0-9a-f]{64}$/);
    expect(bad.stdout).not.toMatch(/verified up to/i);
    // Every entry was checked, the tear's and those since too.
    expect(bad.stdout).toMatch(/^MACs: 6 entries carry a valid MAC under this installation's audit secret\.$/m);
  });

  it('audit show prints each input as name=value, a hashed one labelled, not as JSON', async () => {
    const h = await CaseHandle.open(caseDir);
    await appendAudit(h.files.audit, { action: 'events.sql', params: { caseId: h.meta.id, sql: { hmac: 'ab'.repeat(32) }, limit: 10 }, result: { status: 'ok', counts: { rows: 3 } }, via: 'test', caseId: h.meta.id });
    await h.close();
    const text = await run('audit', 'show', '--case', caseDir, '--action', 'events.sql');
    expect(text.stdout.trim()).toMatch(new RegExp(`^#5 \\S+ .* via test events\\.sql ok rows=3 limit=10 sql=‹hashed ${'ab'.repeat(6)}…›$`));
    expect(text.stdout).not.toContain('hmac');
  });

  it('audit show filters by action and prints JSON lines', async () => {
    const r = await run('audit', 'show', '--case', caseDir, '--action', 'events.query', '--json');
    const entries = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { seq: number });
    expect(entries.map((e) => e.seq)).toEqual([2, 3]);
    const text = await run('audit', 'show', '--case', caseDir, '--since', '2000-01-01');
    // 4 + the cases.open of each show; listing the trail is not itself recorded (audit.list: audit never).
    expect(text.stdout.trim().split('\n')).toHaveLength(6);
    expect(text.stdout).not.toMatch(/audit\.list/);
    expect(text.stdout).toMatch(/#4 .* export.create ok/);
  });

  it('a hand-made line nested past any entry, or shaped like one without its fields: verify says where (it was a stack overflow), show lists the trail (it failed)', async () => {
    const audit = path.join(caseDir, 'audit.jsonl');
    const lines = (await fs.readFile(audit, 'utf8')).trimEnd().split('\n');
    const deep = `{"seq":2,"hash":"00","prev":"00","params":{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    await fs.writeFile(audit, `${[lines[0], deep, ...lines.slice(1), '{"seq":6,"hash":"00","prev":"00","time":7}'].join('\n')}\n`);
    const bad = await run('audit', 'verify', '--case', caseDir);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout.split('\n')[0]).toBe('Audit log BROKEN at line 2: Line 2 is not an audit entry (damaged or inserted text in the middle of the log).');
    const show = await run('audit', 'show', '--case', caseDir);
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toMatch(/^#6 7 .* error — This entry has no readable result\.$/m);
    expect(show.stdout).toMatch(/^#4 .* export.create ok/m);
  });

  it('a trail that is a pipe or a link to /dev/zero: verify says so at once and fails (it hung, as did every command of the case)', async () => {
    const audit = path.join(caseDir, 'audit.jsonl');
    for (const [make, what] of [[() => execFileSync('mkfifo', [audit]), 'is not a regular file (a device, pipe or socket)'], [() => fsSync.symlinkSync('/dev/zero', audit), 'is a link']] as const) {
      await fs.rm(audit);
      make();
      const bad = await run('audit', 'verify', '--case', caseDir);
      expect(bad.exitCode).toBe(1);
      expect(bad.stdout.split('\n')[0]).toBe(`Audit log BROKEN at line 1: The audit log ${audit} ${what}: a trail is never read or written through one, so this was not done. `
        + 'It is left as it is; put the trail back as a file, or move this aside (verify then reports the entries the case recorded as missing).');
      expect(await run('audit', 'show', '--case', caseDir)).toEqual({ stdout: '', exitCode: 1 });
    }
  }, 60_000);

  it('verify passes on an empty case and fails when a manifest file is missing', async () => {
    expect((await run('verify', '--case', caseDir)).exitCode).toBe(0);
    const b = path.join(caseDir, 'bundles', 'b1');
    await fs.mkdir(b, { recursive: true });
    await fs.writeFile(path.join(b, 'manifest.json'), JSON.stringify({
      format: 'casefile/manifest@1', bundle: 'b1', created: new Date().toISOString(), origin: null,
      files: [{ path: 'a.log', size: 3, mtime: null, sha256: '0'.repeat(64) }],
    }));
    const r = await run('verify', '--case', caseDir);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/b1\/a.log: Missing/);
    expect((await readAudit(path.join(caseDir, 'audit.jsonl'), { action: 'case.verify' })).map((e) => e.result.status)).toEqual(['ok', 'error']);
  });
});
