// The export and redact-test commands as an operator runs them: a real case, the real CLI process.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIELDS_NOTE } from '../../../shared/exportFields';
import { removeDir, tempDir } from '../../testkit/tmp';
import { cliRunner } from '../../testkit/cliChild';

const root = tempDir('casefile-cli-export-');
afterAll(() => removeDir(root));
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const cli = cliRunner(env, 240_000);

describe('casefile export / redact-test', () => {
  it('exports a case redacted (plaintext on purpose), copies the deliverable, refuses without a key choice', () => {
    const bundle = path.join(root, 'bundle/enrich/logs/app');
    fs.mkdirSync(bundle, { recursive: true });
    fs.writeFileSync(path.join(bundle, 'app.json.log'), [
      JSON.stringify({ asctime: '2023-07-28 16:54:53,016', name: 'app', levelname: 'ERROR', message: 'token=ghp_Zq81bX0pLm3nR7sTw9vYxA2bC4dE6fG8hJ0k for priya@acme-client.in', created: 1690543493.016 }),
      JSON.stringify({ asctime: '2023-07-28 16:54:54,016', name: 'app', levelname: 'INFO', message: 'ok', created: 1690543494.016 }),
    ].join('\n') + '\n');
    const caseDir = path.join(root, 'case');
    expect(cli('import', path.join(root, 'bundle'), '--case', caseDir).status).toBe(0);
    const refused = cli('export', '--case', caseDir, '--format', 'jsonl');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/--to|--plaintext/);
    const out = path.join(root, 'out');
    const r = cli('export', '--case', caseDir, '--format', 'csv', '--where', "level = 'ERROR'", '--plaintext', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { events: number; files: { name: string }[]; dir: string; copiedTo?: string };
    expect(result.events).toBe(1);
    // where the copy went is said beside the case's own export folder
    expect(result.copiedTo).toBe(path.resolve(out));
    expect(result.dir).toContain(path.join(caseDir, 'exports'));
    expect(fs.readdirSync(out).sort()).toEqual(['events.csv', 'manifest.json', 'report.json']);
    const csv = fs.readFileSync(path.join(out, 'events.csv'), 'utf8');
    expect(csv).not.toMatch(/ghp_Zq81|priya@/);
    expect(csv).toMatch(/<secret:[a-z-]+>/);
    // the map never goes to --out
    expect(fs.readdirSync(out).some((f) => f.includes('map'))).toBe(false);
    const out2 = path.join(root, 'out2');
    const t = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--out', out2);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toContain(`copied to ${path.resolve(out2)}`);
    // an extract writes fields once: the operator is told why the column is empty on JSON records
    expect(t.stdout).toContain(`note: ${FIELDS_NOTE}\n`);
    expect(fs.readdirSync(out2).sort()).toEqual(['events.jsonl', 'manifest.json', 'report.json']);
  });

  it('an export that selects nothing (a mistyped chain key, a range outside the case) writes nothing and exits 2', () => {
    const caseDir = path.join(root, 'case');
    const before = fs.readdirSync(path.join(caseDir, 'exports'));
    const chain = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--chain', 'no-such-chain-key');
    expect(chain.status, chain.stderr).toBe(2);
    expect(chain.stderr).toContain('No chain of that key in this case: nothing was exported.');
    expect(chain.stderr).not.toContain('no-such-chain-key');
    const range = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--since', '2030-01-01T00:00:00Z');
    expect(range.status, range.stderr).toBe(2);
    expect(range.stderr).toContain('The selection holds no events: nothing was exported.');
    expect(fs.readdirSync(path.join(caseDir, 'exports'))).toEqual(before);
    // a real failure still exits 1
    expect(cli('export', '--case', path.join(root, 'no-case'), '--format', 'jsonl', '--plaintext').status).toBe(1);
  });

  it('an export the fail-closed check refuses writes nothing and exits 6, saying where it hit and never the value', () => {
    const bundle = path.join(root, 'blocked/enrich/logs/app');
    fs.mkdirSync(bundle, { recursive: true });
    fs.writeFileSync(path.join(bundle, 'app.json.log'), JSON.stringify({ asctime: '2023-07-28 16:54:54,016', name: 'app', levelname: 'ERROR',
      message: 'db connect postgresql://scribble:Zq81bX0pLm3nR7sTw@db7.acme.internal:5432/enrich failed', created: 1690543494.016 }) + '\n');
    const caseDir = path.join(root, 'case-blocked');
    expect(cli('import', path.join(root, 'blocked'), '--case', caseDir).status).toBe(0);
    // The selecting query holds the replaced password inside SQL quotes, which the redactor cannot rewrite: the
    // manifest records the query, and the re-scan finds the original there.
    const r = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--where', "message LIKE '%Zq81bX0pLm3nR7sTw%'");
    expect(r.status, r.stderr).toBe(6);
    expect(r.stderr).toMatch(/^casefile: Export blocked by the fail-closed check: \d+ hits? .*manifest\.json.*Nothing was written\. report\.json and manifest\.json name the selection: .*\n$/);
    expect(r.stderr).not.toContain('Zq81bX0pLm3nR7sTw');
    expect(r.stdout).toBe('');
    expect(fs.readdirSync(path.join(caseDir, 'exports'))).toEqual([]);
  });

  it('says a mistake in the command as a sentence with what was meant: a client key not in the keystore, a column the events view lacks', () => {
    const caseDir = path.join(root, 'case');
    const key = cli('export', '--case', caseDir, '--format', 'jsonl', '--to', 'acme-client');
    expect(key.status).toBe(1);
    // said once, with what to do (it said "No client key … in the keystore: No key … in the keystore.")
    expect(key.stderr).toBe('casefile: No client key "acme-client" in the keystore: import the client\'s public key first (casefile key import <file>, or Keys in the app; casefile key list shows the keys there).\n');
    const column = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--where', "lvl = 'ERROR'");
    expect(column.status).toBe(1);
    // DuckDB's own words were cut to their first line ("Binder Error: … not found in FROM clause!"), losing the hint
    expect(column.stderr).toBe('casefile: --where names a column the events view does not have: "lvl" (did you mean "level"?).\n');
    const fn = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--where', 'nosuchfn(level)');
    expect(fn.status).toBe(1);
    expect(fn.stderr).toMatch(/^casefile: --where: Scalar Function with name nosuchfn does not exist! \(Did you mean "[a-z_]+"\?\)\.\n$/);
  });

  it('redact-test shows what the rules change', () => {
    const rules = path.join(root, 'rules.yaml');
    fs.writeFileSync(rules, 'patterns:\n  - type: txn\n    regex: "TPWU[0-9]{12}"\nwords:\n  - type: project\n    words: [Bluebird]\n    action: remove\n');
    const sample = path.join(root, 'sample.log');
    fs.writeFileSync(sample, "search TPWU000058115004 for Bluebird\nnothing here\n'password': 'hunter2hunter2'\n");
    const r = cli('redact-test', '--rules', rules, sample);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1: search <txn:[A-Z2-7]{10}> for <removed:project>/);
    expect(r.stdout).toContain("'password': '<secret:");
    expect(r.stdout).toMatch(/3 replacements in 2 of 3 lines/);
    const bad = path.join(root, 'bad.yaml');
    fs.writeFileSync(bad, 'patterns:\n  - type: x\n    regex: "(unclosed"\n');
    const b = cli('redact-test', '--rules', bad, sample);
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(/not a valid RE2 expression/);
  });

  it('redact-test --case runs the case\'s idPatterns too: on an equal-length match the rules file\'s type wins', () => {
    const rules = path.join(root, 'customer.yaml');
    fs.writeFileSync(rules, 'patterns:\n  - type: customer\n    regex: "OMEGA[0-9]{4}"\n');
    const sample = path.join(root, 'sample-ids.log');
    // OMEGA3231 is also a client_id by the case's default idPattern; SIGMA1124 only that
    fs.writeFileSync(sample, 'search for OMEGA3231 and SIGMA1124\n');
    const r = cli('redact-test', '--rules', rules, '--case', path.join(root, 'case'), sample);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^1: search for <customer:[A-Z2-7]{10}> and <client_id:[A-Z2-7]{10}>\n {3}customer\/client-pattern-1, client_id\/id-client_id\n/);
  });

  it('refuses a pattern that can match empty text in redact-test and export, naming the rule: exit 1, nothing written', () => {
    const rules = path.join(root, 'empty.yaml');
    fs.writeFileSync(rules, 'patterns:\n  - type: customer\n    regex: "OMEGA.*|"\n');
    const sample = path.join(root, 'sample-empty.log');
    fs.writeFileSync(sample, 'search for OMEGA3231\n');
    const said = 'casefile: Rule "customer" (pattern 1): its pattern can match empty text, so it can match anywhere and replace whole lines. Make it require at least one character (for example \\d+ instead of \\d*).\n';
    const t = cli('redact-test', '--rules', rules, sample);
    expect(t.status).toBe(1);
    expect(t.stderr).toBe(said);
    expect(t.stdout).toBe('');
    const exportsDir = path.join(root, 'case', 'exports');
    const before = fs.readdirSync(exportsDir);
    const out = path.join(root, 'out-empty');
    const e = cli('export', '--case', path.join(root, 'case'), '--format', 'jsonl', '--plaintext', '--rules', rules, '--out', out);
    expect(e.status).toBe(1);
    expect(e.stderr).toBe(said);
    expect(e.stdout).toBe('');
    expect(fs.readdirSync(exportsDir)).toEqual(before);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('redact-test cuts a sample past what one test takes and says so, instead of refusing it', () => {
    const rules = path.join(root, 'rules.yaml');
    const sample = path.join(root, 'sample-long.log');
    // 6 lines of 120,000 characters: each past a line's length, together past the sample's budget (400,000)
    fs.writeFileSync(sample, Array.from({ length: 6 }, (_, i) => `${i} priya@acme-client.in ${'z'.repeat(120_000)}`).join('\n') + '\n');
    const r = cli('redact-test', '--rules', rules, sample);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('note: lines 1, 2, 3, 4 tested only in part (up to 100000 characters a line, 400000 in all)');
    expect(r.stderr).toContain('note: the first 4 lines are tested; 2 more are not');
    expect(r.stdout).toMatch(/4 replacements in 4 of 4 lines/);
  });

  it('redact-test and export warn about a harvested kind that does not exist (a typo), and still run', () => {
    const rules = path.join(root, 'typo.yaml');
    fs.writeFileSync(rules, 'harvestKinds: [usr, host]\n');
    const sample = path.join(root, 'sample-typo.log');
    fs.writeFileSync(sample, 'hello\n');
    const r = cli('redact-test', '--rules', rules, sample);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: harvested identifier kind "usr" is not one any format defines (did you mean "user"?)');
    const j = cli('redact-test', '--rules', rules, sample, '--json');
    expect((JSON.parse(j.stdout) as { warnings: string[] }).warnings).toHaveLength(1);
    const e = cli('export', '--case', path.join(root, 'case'), '--format', 'jsonl', '--plaintext', '--rules', rules);
    expect(e.status, e.stderr).toBe(0);
    expect(e.stderr).toContain('warning: harvested identifier kind "usr" is not one this case has or any format defines');
  });

  it('reads a rules file only if it is a regular file of at most 1 MiB: devices, FIFOs, directories and symlinks to them are refused', () => {
    const sample = path.join(root, 'sample.txt');
    fs.writeFileSync(sample, 'password=hunter2hunter2\n');
    const fifo = path.join(root, 'rules.fifo');
    spawnSync('mkfifo', [fifo]);
    const link = path.join(root, 'zero-rules.yaml');
    fs.symlinkSync('/dev/zero', link);
    const big = path.join(root, 'big.yaml');
    fs.writeFileSync(big, `words: [{type: x, words: [${'"a",'.repeat(300_000)}"a"]}]\n`);
    for (const [file, why] of [['/dev/zero', /not a regular file/], [link, /not a regular file/], [fifo, /not a regular file/], [root, /not a regular file/], [big, /larger than 1 MiB/]] as const) {
      const r = cli('redact-test', '--rules', file, sample);
      expect(r.status, file).not.toBe(0);
      expect(r.stderr, file).toMatch(why);
    }
  });

  it('refuses an --out that is a file before exporting anything', () => {
    const caseDir = path.join(root, 'case');
    const exportsDir = path.join(caseDir, 'exports');
    const before = fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir).sort() : [];
    const file = path.join(root, 'deliver.txt');
    fs.writeFileSync(file, 'not a folder\n');
    const r = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--out', file);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--out .*deliver\.txt is a file: give a folder/);
    expect(r.stderr).not.toMatch(/EEXIST/);
    expect(fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir).sort() : []).toEqual(before);
  });
  it('refuses an --out inside the case, or one that already holds an extract, before exporting anything', () => {
    const caseDir = path.join(root, 'case');
    const exportsDir = path.join(caseDir, 'exports');
    const before = fs.readdirSync(exportsDir).sort();
    const caseFiles = fs.readdirSync(caseDir).sort();
    const link = path.join(root, 'case-link');
    fs.symlinkSync(caseDir, link);
    for (const out of [caseDir, exportsDir, path.join(caseDir, 'new-folder'), path.join(link, 'x')]) {
      const r = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--out', out);
      expect(r.status, out).toBe(1);
      expect(r.stderr, out).toMatch(/--out .* is inside the case folder: give a folder outside the case/);
    }
    expect(fs.readdirSync(caseDir).sort()).toEqual(caseFiles);
    // an earlier extract in the folder is kept: nothing exported, nothing overwritten
    const earlier = path.join(root, 'earlier');
    fs.mkdirSync(earlier);
    fs.writeFileSync(path.join(earlier, 'report.json'), 'the earlier report\n');
    const r = cli('export', '--case', caseDir, '--format', 'csv', '--plaintext', '--out', earlier);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`--out ${earlier} already holds report.json`);
    expect(fs.readFileSync(path.join(earlier, 'report.json'), 'utf8')).toBe('the earlier report\n');
    expect(fs.readdirSync(earlier)).toEqual(['report.json']);
    expect(fs.readdirSync(exportsDir).sort()).toEqual(before);
  });
});
