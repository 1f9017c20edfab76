// `casefile import --date` and `casefile formats` as an operator runs them: the real CLI process, a real case.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';
import { CLI_BIN, cliRunner } from '../../testkit/cliChild';

const root = tempDir('casefile-cli-ingest-');
afterAll(() => removeDir(root));
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const cli = cliRunner(env);

describe('casefile import --date / formats', () => {
  it('dates time-of-day stamps with --date, and refuses a date that is not YYYY-MM-DD', () => {
    const file = writeAt(root, 'paste/console.txt', '23:59:59.500 INFO late\n00:00:00.250 ERROR next day\n');
    const caseDir = path.join(root, 'case');
    const bad = cli('import', file, '--case', caseDir, '--date', '2024-13-01');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/YYYY-MM-DD/);
    const r = cli('import', file, '--case', caseDir, '--date', '2024-02-28', '--json');
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { files: { from: string; to: string; tzRule: string }[] };
    expect(res.files[0]).toMatchObject({ from: '2024-02-28T23:59:59.500000Z', to: '2024-02-29T00:00:00.250000Z' });
    expect(res.files[0]!.tzRule).toContain('2024-02-28 (--date)');
    const q = cli('query', '--case', caseDir, '--sql', 'SELECT ts_flag, ts_text FROM events ORDER BY id', '--json');
    expect(JSON.parse(q.stdout)).toEqual([{ ts_flag: 'date-inferred', ts_text: '23:59:59.500' }, { ts_flag: 'date-inferred', ts_text: '00:00:00.250' }]);
  });

  it('a re-import says which files the case already had, and counts only the new ones\' records', () => {
    const line = (i: number) => JSON.stringify({ message: `m ${i}`, levelname: 'INFO', name: 'gen', created: 1690656225.4 + i });
    writeAt(root, 'again/a.json.log', `${line(1)}\n${line(2)}\n`);
    writeAt(root, 'again/b.json.log', `${line(3)}\n`);
    const caseDir = path.join(root, 'again-case');
    const first = cli('import', path.join(root, 'again'), '--case', caseDir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/\n2 files · 3 records — 1 bundle \(/);
    expect(first.stderr).toMatch(/^events ready after [\d.]+ s; building identifiers and chains$/m);
    const same = cli('import', path.join(root, 'again'), '--case', caseDir);
    expect(same.status, same.stderr).toBe(0);
    expect(same.stdout).toMatch(/\n2 files, nothing new: 2 already in the case — 1 bundle \(/);
    // nothing was added, so nothing is built: it said "building identifiers and chains" all the same
    expect(same.stderr).toMatch(/^nothing new after [\d.]+ s: no event added, no identifiers or chains to build$/m);
    expect(same.stderr).not.toMatch(/building/);
    writeAt(root, 'again2/a.json.log', `${line(1)}\n${line(2)}\n`);
    writeAt(root, 'again2/c.json.log', `${line(4)}\n${line(5)}\n${line(6)}\n`);
    const more = cli('import', path.join(root, 'again2'), '--case', caseDir);
    expect(more.status, more.stderr).toBe(0);
    expect(more.stdout).toMatch(/\n2 files: 1 new \(3 records\), 1 the same as a file already in it — 1 bundle \(/);
    expect(more.stderr).toMatch(/^events ready after [\d.]+ s; building identifiers and chains$/m);
  });

  it('lists the envelopes beside the formats', () => {
    const r = cli('formats', '--json');
    const ids = (JSON.parse(r.stdout) as { id: string; kind: string }[]).filter((x) => x.kind === 'envelope').map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining(['journald', 'journald-iso', 'rfc5424', 'docker-compose', 'timestamps', 'docker-json', 'cri', 'kubectl-prefix', 'quoted']));
    expect(cli('formats').stdout).toMatch(/Envelopes/);
  });

  it('a mistyped bundle path makes no case; a --case that is a file says so', () => {
    const caseDir = path.join(root, 'typo-case');
    const r = cli('import', path.join(root, 'no-such-bundle'), '--case', caseDir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Cannot read .*no-such-bundle: no such file or folder/);
    expect(existsSync(caseDir)).toBe(false);
    const file = writeAt(root, 'paste/notes.txt', 'not a case\n');
    const log = writeAt(root, 'paste/app.log', '2023-07-06 03:30:00 INFO hello\n');
    const onFile = cli('import', log, '--case', file);
    expect(onFile.status).not.toBe(0);
    expect(onFile.stderr).toMatch(/notes\.txt is a file, not a case folder/);
    expect(onFile.stderr).not.toMatch(/EEXIST/);
  });

  it('an import into a case another instance holds says why once, and fails', () => {
    const caseDir = path.join(root, 'held-case');
    const log = writeAt(root, 'held/app.log', '2023-07-06 03:30:00 INFO hello\n');
    expect(cli('import', log, '--case', caseDir).status).toBe(0);
    // This test's own process stands in for the Casefile that holds the case.
    writeFileSync(path.join(caseDir, 'case.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString(), via: 'browser' }));
    const r = cli('import', writeAt(root, 'held/more.log', '2023-07-06 03:31:00 INFO more\n'), '--case', caseDir);
    expect(r.status).not.toBe(0);
    expect(r.stderr.match(/held for writing by casefile serve \(pid \d+/g)).toHaveLength(1);
  });
});

describe('casefile import and Ctrl-C', () => {
  const line = (i: number) => JSON.stringify({ message: `tick ${i}`, levelname: 'INFO', name: 'gen', created: 1690656225.4 + i / 1000 });
  const count = (caseDir: string) => Number((JSON.parse(cli('query', '--case', caseDir, '--sql', 'SELECT count(*)::INTEGER AS n FROM events', '--json').stdout) as { n: number }[])[0]!.n);

  it('stops at the next batch, says what stays and how to finish, and the same import again adds only the rest', async () => {
    const files = 60;
    const perFile = 500;
    for (let f = 0; f < files; f++) writeAt(root, `sigint/w${String(f).padStart(3, '0')}.json.log`, Array.from({ length: perFile }, (_, i) => line(f * perFile + i)).join('\n') + '\n');
    const caseDir = path.join(root, 'sigint-case');
    // A batch per file, and progress as JSON lines: Ctrl-C comes once the first batch is in.
    const child = spawn(process.execPath, [CLI_BIN, 'import', path.join(root, 'sigint'), '--case', caseDir], {
      env: { ...env, CASEFILE_IMPORT_BATCH_BYTES: '1', CASEFILE_PROGRESS: 'jsonl' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!sent && /"eventsCommitted":\d+/.test(stderr)) { sent = true; child.kill('SIGINT'); }
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    expect(sent).toBe(true);
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(stderr).toMatch(/casefile: import cancelled: the [\d,]+ events committed before it stay in the case; run the same import again to add the rest\./);
    const kept = count(caseDir);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(files * perFile);
    const again = cli('import', path.join(root, 'sigint'), '--case', caseDir);
    expect(again.status, again.stderr).toBe(0);
    expect(count(caseDir)).toBe(files * perFile);
  });

  it('during the evidence copy: stops copying, says nothing of the evidence is in the case, and leaves no bundle', async () => {
    for (let f = 0; f < 200; f++) writeAt(root, `sigint-copy/d${f % 20}/w${f}.json.log`, `${line(f)}\n`);
    const caseDir = path.join(root, 'sigint-copy-case');
    // Each copied file is held until the cancel comes (fault.ts holdPoint): the copy is still going when Ctrl-C lands.
    const child = spawn(process.execPath, [CLI_BIN, 'import', path.join(root, 'sigint-copy'), '--case', caseDir], {
      env: { ...env, CASEFILE_PROGRESS: 'jsonl', CASEFILE_HOLD: 'copy-file' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!sent && /"phase":"copy","filesDone":\d+,"filesTotal":[1-9]/.test(stderr)) { sent = true; child.kill('SIGINT'); }
    });
    const [code] = await new Promise<[number | null]>((resolve) => child.on('exit', (c) => resolve([c])));
    expect(sent).toBe(true);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/casefile: stopping the evidence copy after the files under way/);
    expect(stderr).toMatch(/casefile: import cancelled before any event was committed: nothing of this evidence is in the case\./);
    expect(readdirSync(path.join(caseDir, 'bundles'))).toEqual([]);
    expect(count(caseDir)).toBe(0);
  });
});

describe('casefile import on a terminal', () => {
  it('says each step of the identifiers as it moves, to the last file, not only the first count of the step', async () => {
    // More files than one extraction group (2,000): the identifiers step reports twice.
    const n = 2101;
    for (let i = 0; i < n; i++) writeAt(root, `many/w${i}.json.log`, `${JSON.stringify({ message: `tick ${i}`, levelname: 'INFO', name: 'gen', created: 1690656225.4 + i })}\n`);
    const cmd = `${process.execPath} ${CLI_BIN} import ${path.join(root, 'many')} --case ${path.join(root, 'many-case')}`;
    const p = spawn('script', ['-qec', cmd, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    p.stdout.on('data', (d: Buffer) => { seen += d.toString(); });
    const code = await new Promise((r) => p.on('close', r));
    expect(code, seen).toBe(0);
    const steps = seen.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.startsWith('building identifiers'));
    expect(steps).toEqual(['building identifiers: 2,000 of 2,101 files…', 'building identifiers: 2,101 of 2,101 files…']);
  });
});

describe('casefile import of what the account cannot read', () => {
  it('names an unreadable file or folder in a sentence, not an errno, and imports nothing of that input', () => {
    // As root (CI) permissions do not stop a read: the CLI then runs as nobody, as an operator's own account would.
    const asRoot = process.getuid?.() === 0;
    const base = mkdtempSync(path.join(os.tmpdir(), 'casefile-unreadable-'));
    try {
      chmodSync(base, 0o777);
      const home = path.join(base, 'home');
      mkdirSync(home, { mode: 0o777 });
      chmodSync(home, 0o777);
      const run = (...args: string[]) => spawnSync(asRoot ? 'setpriv' : process.execPath,
        asRoot ? ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI_BIN, ...args] : [CLI_BIN, ...args],
        { env: { ...process.env, CASEFILE_HOME: home }, encoding: 'utf8', timeout: 120_000 });
      const logs = path.join(base, 'logs');
      writeAt(logs, 'ok.log', '2023-07-06 03:30:00 INFO fine\n');
      writeAt(logs, 'secret/app.log', '2023-07-06 03:30:01 INFO hidden\n');
      chmodSync(path.join(logs, 'secret'), 0o000);
      chmodSync(base, 0o777);
      const folder = run('import', logs, '--case', path.join(home, 'c1'));
      expect(folder.status).toBe(1);
      expect(folder.stderr).toMatch(/^casefile: Cannot read the folder .*\/logs\/secret: permission denied\. Nothing was imported/m);
      chmodSync(path.join(logs, 'secret'), 0o755);
      chmodSync(path.join(logs, 'secret', 'app.log'), 0o000);
      const file = run('import', logs, '--case', path.join(home, 'c2'));
      expect(file.status).toBe(1);
      expect(file.stderr).toMatch(/^casefile: Cannot read .*\/logs\/secret\/app\.log: permission denied\. Nothing was imported/m);
      for (const c of ['c1', 'c2']) {
        const bundles = path.join(home, c, 'bundles');
        expect(existsSync(bundles) ? readdirSync(bundles) : []).toEqual([]);
      }
    } finally {
      spawnSync('chmod', ['-R', 'u+rwx', base]);
      removeDir(base);
    }
  });
});

describe('casefile import\'s notes on what it left out', () => {
  it('names a left-out file whose name holds escape sequences or a newline as escapes, on one line', () => {
    const dir = path.join(root, 'odd-names');
    writeAt(dir, 'ok.log', '2023-07-06 03:30:00 INFO fine\n');
    spawnSync('mkfifo', [path.join(dir, 'pipe\x1b]0;pwned\x07\nforged.log')]);
    const r = cli('import', dir, '--case', path.join(root, 'odd-names-case'));
    expect(r.status, r.stderr).toBe(0);
    const note = r.stdout.split('\n').filter((l) => l.startsWith('left out of bundle'));
    expect(note).toEqual([expect.stringContaining('pipe\\x1b]0;pwned\\x07\\x0aforged.log: not a regular file')]);
    expect(r.stdout).not.toContain('\x1b');
  });
});
