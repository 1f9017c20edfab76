// export.preview and redact.rules.get|save through the contract (Engine.call, real case), hostile rules (oversize,
// catastrophic patterns), a site profile's rules merged with the case's, and the per-client pseudonym key.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseInfo } from '../../../shared/domain';
import { removeDir, tempDir } from '../../testkit/tmp';
import { readAudit } from '../audit/trail';
import { Engine } from '../engine';
import { saveProfile } from '../transport/profileStore';
import { clientKeyFile, clientPseudonymKey, type KeyVault } from './clientKey';
import { mergeRules } from './clientRules';
import { runExport } from './run';

const root = tempDir('casefile-export-calls-');
let engine: Engine;
let info: CaseInfo;

const SECRET = 'Zq81bX0pLm3nR7sTw';
const lines = [
  { asctime: '2023-07-28 16:54:53,016', name: 'app', levelname: 'INFO', message: 'login ok for Zorblax', user: 'venkata', created: 1690543493.016 },
  { asctime: '2023-07-28 16:54:54,016', name: 'app', levelname: 'ERROR', message: `token=${SECRET} customer GAMMA1234 project Quuxley`, created: 1690543494.016 },
].map((o) => JSON.stringify(o)).join('\n') + '\n';

beforeAll(async () => {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const bundle = path.join(root, 'bundle');
  fs.mkdirSync(path.join(bundle, 'enrich/logs/app'), { recursive: true });
  fs.writeFileSync(path.join(bundle, 'enrich/logs/app/app.json.log'), lines);
  engine = await Engine.create({ via: 'test' });
  info = await engine.call('cases.create', { name: 'calls', dir: path.join(root, 'case') });
  await engine.call('import.paths', { caseId: info.id, paths: [bundle] });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  removeDir(root);
});

describe('export.preview through the contract', () => {
  it('returns the first redacted events with every replacement located, never the originals', async () => {
    const p = await engine.call('export.preview', { caseId: info.id, selection: {}, limit: 10 });
    expect(p.total).toBe(2);
    const all = JSON.stringify(p.rows);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('venkata');
    expect(all).not.toContain('GAMMA1234');
    const raw = p.rows.filter((r) => r.column === 'raw');
    expect(raw).toHaveLength(2);
    for (const r of p.rows) for (const x of r.replacements) expect(r.text).toContain(x.token);
    expect(p.byType.secret).toBeGreaterThan(0);
    expect(p.byType.client_id).toBeGreaterThan(0);
  });

  it('export.run records what was typed into the filter as HMACs in the audit trail, never as typed', async () => {
    const filter = { text: 'Zorblax', fields: [{ field: 'user', value: 'venkata' }], files: ['enrich/logs/app/app.json.log'] };
    const r = await engine.call('export.run', { caseId: info.id, selection: { filter, where: "message LIKE '%Zorblax%'" }, format: 'jsonl', plaintext: true });
    expect(r.events).toBe(1);
    const entries = await readAudit(path.join(info.dir, 'audit.jsonl'), { action: 'export.run' });
    expect(entries.length).toBeGreaterThan(0);
    const recorded = JSON.stringify(entries.map((e) => e.params));
    for (const typed of ['Zorblax', 'venkata', 'app.json.log']) expect(recorded).not.toContain(typed);
    const sel = (entries[0]!.params as { selection: { filter: { text: unknown; fields: { field: string; value: unknown }[] } } }).selection;
    expect(sel.filter.text).toMatchObject({ hmac: expect.stringMatching(/^[0-9a-f]{16,}$/) as unknown });
    expect(sel.filter.fields[0]).toMatchObject({ field: 'user', value: { hmac: expect.any(String) as unknown } });
  });

  it('runs as the job the caller named, which says when it ends what it wrote (a reloaded page follows the job by that id)', async () => {
    const jobId = 'export-named-by-the-caller';
    const r = await engine.call('export.run', { caseId: info.id, selection: {}, format: 'jsonl', plaintext: true, jobId });
    const job = (await engine.call('jobs.list', { caseId: info.id })).find((j) => j.jobId === jobId);
    expect(job).toMatchObject({ kind: 'export', state: 'done' });
    expect(job!.outcome).toBe(`${r.events} events written to ${r.dir} (plaintext)`);
  });

  it('refuses an empty list of picked ids instead of reading it as no condition (every event of the case)', async () => {
    const exports = () => (fs.existsSync(path.join(info.dir, 'exports')) ? fs.readdirSync(path.join(info.dir, 'exports')).length : 0);
    const before = exports();
    await expect(engine.call('export.preview', { caseId: info.id, selection: { ids: [] }, limit: 10 })).rejects.toThrow(/ids: no events picked/);
    await expect(engine.call('export.run', { caseId: info.id, selection: { ids: [] }, format: 'jsonl', plaintext: true })).rejects.toThrow(/ids: no events picked/);
    expect(exports()).toBe(before);
    const id = (await engine.call('export.preview', { caseId: info.id, selection: {}, limit: 1 })).rows[0]!.id;
    expect((await engine.call('export.preview', { caseId: info.id, selection: { ids: [id] }, limit: 10 })).total).toBe(1);
  });

  it('takes the contract\'s 100,000 picked ids as one list: exactly the picked events that exist, written and named in the report', async () => {
    const all = (await engine.context.getCase(info.id).db.read<{ id: number }>('SELECT id::INTEGER AS id FROM events')).map((r) => r.id);
    const picked = all.filter((_, i) => i % 2 === 0).slice(0, 200);
    // the rest of the 100,000 name no event of the case
    const ids = [...picked, ...Array.from({ length: 100_000 - picked.length }, (_, i) => 10_000_000 + i)];
    const preview = await engine.call('export.preview', { caseId: info.id, selection: { ids }, limit: 200 });
    expect(preview.total).toBe(picked.length);
    // a preview row is one cell of an event (raw, fields…): the events they show
    expect([...new Set(preview.rows.map((r) => r.id))].sort((a, b) => a - b)).toEqual([...picked].sort((a, b) => a - b));
    const r = await engine.call('export.run', { caseId: info.id, selection: { ids }, format: 'jsonl', plaintext: true });
    expect(r.events).toBe(picked.length);
    const lines = fs.readFileSync(path.join(r.dir, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: number });
    expect(lines.map((l) => l.id).sort((a, b) => a - b)).toEqual([...picked].sort((a, b) => a - b));
  });

  it('refuses a selection that holds no events with its own code (the CLI and the dialog key on it, not on the words), writing nothing', async () => {
    const exports = () => fs.readdirSync(path.join(info.dir, 'exports'));
    const before = exports();
    const chain = engine.call('export.run', { caseId: info.id, selection: { chain: 'no-such-chain-key' }, format: 'jsonl', plaintext: true });
    await expect(chain).rejects.toMatchObject({ error: { code: 'nothing_selected', message: 'No chain of that key in this case: nothing was exported.' } });
    const range = engine.call('export.run', { caseId: info.id, selection: { since: '2030-01-01T00:00:00Z' }, format: 'jsonl', plaintext: true });
    await expect(range).rejects.toMatchObject({ error: { code: 'nothing_selected', message: 'The selection holds no events: nothing was exported.' } });
    expect(exports()).toEqual(before);
    // the job ended failed, with the same code and words (a page that only follows it keys on the code too)
    const job = (await engine.call('jobs.list', { caseId: info.id })).find((j) => j.kind === 'export');
    expect(job).toMatchObject({ state: 'failed', code: 'nothing_selected', error: 'The selection holds no events: nothing was exported.' });
  });

  it('applies the call\'s unsaved rules and refuses a bad selection with a clear error', async () => {
    const p = await engine.call('export.preview', { caseId: info.id, selection: { where: "level = 'ERROR'" }, limit: 50, rules: { words: [{ type: 'project', words: ['Quuxley'], action: 'pseudonymise' }] } });
    expect(p.total).toBe(1);
    expect(JSON.stringify(p.rows)).not.toContain('Quuxley');
    expect(JSON.stringify(p.rows)).toMatch(/<project:[A-Z2-7]{10}>/);
    await expect(engine.call('export.preview', { caseId: info.id, selection: { where: 'id IN (SELECT event_id FROM identifiers)' }, limit: 50 })).rejects.toThrow(/subquery/);
  });
});

describe('redact.rules.get|save through the contract', () => {
  it('saves rules into the case and reads them back; export and the tester then apply them', async () => {
    const rules = { patterns: [{ type: 'txn', regex: 'TXN[0-9]{6}', action: 'pseudonymise' as const }], domains: [], hosts: [], words: [{ type: 'name', words: ['Zorblax'], action: 'remove' as const }], secretKeys: ['pin'], harvestKinds: ['user'] };
    await engine.call('redact.rules.save', { caseId: info.id, rules });
    expect(await engine.call('redact.rules.get', { caseId: info.id })).toEqual(rules);
    const t = await engine.call('redact.test', { caseId: info.id, lines: ['paid TXN123456 Zorblax pin=4455'] });
    expect(t.lines[0]!.text).toMatch(/^paid <txn:[A-Z2-7]{10}> <removed:name> pin=<secret:key-value>$/);
  });

  it('warns about a harvested identifier kind neither the case nor any format has (a typo harvests nothing); refuses a malformed one', async () => {
    const rules = { harvestKinds: ['usr', 'user', 'celery_task', 'client_id'] };
    const t = await engine.call('redact.test', { caseId: info.id, rules, lines: ['venkata was here'] });
    expect(t.warnings).toEqual(['harvested identifier kind "usr" is not one this case has or any format defines (did you mean "user"?): no values are harvested for it']);
    // the case's own kind (user) is harvested: the name is replaced in a line that does not say user=
    expect(t.lines[0]!.text).not.toContain('venkata');
    const alone = await engine.call('redact.test', { rules: { harvestKinds: ['user', 'zzzz_kind'] }, lines: ['x'] });
    expect(alone.warnings).toEqual(['harvested identifier kind "zzzz_kind" is not one any format defines: no values are harvested for it']);
    const ok = await engine.call('redact.test', { caseId: info.id, lines: ['x'] });
    expect(ok.warnings).toEqual([]);
    const r = await engine.call('export.run', { caseId: info.id, selection: {}, format: 'jsonl', plaintext: true, rules });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('"usr"');
    await expect(engine.call('redact.rules.save', { caseId: info.id, rules: { patterns: [], domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: ['User Name'] } }))
      .rejects.toThrow(/identifier kind is a lower-case word/);
  });

  it('export.preview warns as the export will, before it runs', async () => {
    const p = await engine.call('export.preview', { caseId: info.id, selection: {}, limit: 10, rules: { harvestKinds: ['usr', 'user'] } });
    expect(p.warnings).toEqual(['harvested identifier kind "usr" is not one this case has or any format defines (did you mean "user"?): no values are harvested for it']);
    expect((await engine.call('export.preview', { caseId: info.id, selection: {}, limit: 10, rules: { harvestKinds: ['user'] } })).warnings).toEqual([]);
  });

  it('redact.rules.check says of rules being edited what the tester and a save would: the kinds nothing has, the patterns RE2 refuses', async () => {
    const rules = { patterns: [{ type: 'ok', regex: 'TXN[0-9]{6}', action: 'pseudonymise' as const }, { type: 'bad', regex: 'KYC(?=\\d)', action: 'remove' as const }],
      domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: ['usr', 'user'] };
    const c = await engine.call('redact.rules.check', { caseId: info.id, rules });
    const tested = await engine.call('redact.test', { caseId: info.id, rules, lines: ['x'] }).catch((e: Error) => e);
    expect(tested).toBeInstanceOf(Error);
    expect(c.errors).toEqual([expect.stringMatching(/^pattern 2 regex: not a valid RE2 expression: \S/)]);
    expect(c.warnings).toEqual((await engine.call('redact.test', { caseId: info.id, rules: { ...rules, patterns: [] }, lines: ['x'] })).warnings);
    expect(c.warnings[0]).toContain('(did you mean "user"?)');
    // without a case: the formats' kinds only, as the tester says
    expect((await engine.call('redact.rules.check', { rules: { ...rules, patterns: [], harvestKinds: ['zzzz_kind'] } }))).toEqual({
      errors: [], warnings: ['harvested identifier kind "zzzz_kind" is not one any format defines: no values are harvested for it'], patterns: [],
    });
  });

  it('warns about a domain or host written so that it matches nothing (a glob, a URL, an address), with what was meant, everywhere the kinds warning goes', async () => {
    const line = 'GET https://portal.acme.com/x from db7.acme.com';
    const rules = { domains: ['*.acme.com', 'https://acme.com/', '.ok.example', 'OK2.EXAMPLE'], hosts: ['db7.acme.com', '@db8', 'db9 '] };
    const expected = [
      'domain "*.acme.com" is not a host name, so it matches nothing (did you mean "acme.com"? a domain covers every host under it)',
      'domain "https://acme.com/" is not a host name, so it matches nothing (did you mean "acme.com"?)',
      'host "@db8" is not a host name, so it matches nothing (did you mean "db8"?)',
      'host "db9 " is not a host name, so it matches nothing (did you mean "db9"?)',
    ];
    const t = await engine.call('redact.test', { rules, lines: [line] });
    expect(t.warnings).toEqual(expected);
    expect(t.lines[0]!.text).toContain('portal.acme.com'); // what the warning is about: nothing replaced by those domains
    const full = { patterns: [], words: [], secretKeys: [], harvestKinds: ['user'], ...rules };
    expect((await engine.call('redact.rules.check', { caseId: info.id, rules: full })).warnings).toEqual(expected);
    expect((await engine.call('export.preview', { caseId: info.id, selection: {}, limit: 1, rules })).warnings).toEqual(expected);
    expect((await engine.call('export.run', { caseId: info.id, selection: {}, format: 'jsonl', plaintext: true, rules })).warnings).toEqual(expected);
    expect((await engine.call('redact.rules.check', { rules: { ...full, domains: ['acme.com', '.acme.com', 'ACME.com'], hosts: ['db7', '10.0.0.5', 'web_1.local'] } })).warnings).toEqual([]);
  });

  it('warns about a pattern anchored to the whole line (^…$), which finds nothing inside a log line, and a word list entry with spaces at its ends', async () => {
    const rules = { patterns: [{ type: 'kyc', regex: '^KYC\\d{6}$', action: 'pseudonymise' as const }, { type: 'amt', regex: 'USD\\$', action: 'pseudonymise' as const }, { type: 'ok', regex: 'TXN\\d+', action: 'remove' as const }],
      words: [{ type: 'project', words: ['Osprey', ' Falcon '], action: 'pseudonymise' as const }] };
    const t = await engine.call('redact.test', { rules, lines: ['check KYC123456 for Falcon'] });
    expect(t.lines[0]!.text).toBe('check KYC123456 for Falcon');
    expect(t.warnings).toEqual([
      'pattern 1 (kyc) is anchored with ^ or $ to the start or end of the whole line, so it finds nothing inside one: patterns are already matched as whole words, drop the anchors',
      'word list 1 (project): " Falcon " has spaces at its ends, so it matches nothing (did you mean "Falcon"?)',
    ]);
    expect((await engine.call('redact.test', { rules: { patterns: [{ type: 'kyc', regex: 'KYC\\d{6}', action: 'pseudonymise' }] }, lines: ['check KYC123456'] })).warnings).toEqual([]);
  });

  it('on an equal-length match the operator\'s client rule names the type, not the case\'s id kind: preview, report counts, tester, export', async () => {
    // GAMMA1234 is the case's client_id (its default idPattern) and is harvested as one; the client rule says customer
    const rules = { patterns: [{ type: 'customer', regex: 'GAMMA\\d{4}', action: 'pseudonymise' as const }] };
    const p = await engine.call('export.preview', { caseId: info.id, selection: { where: "level = 'ERROR'" }, limit: 10, rules });
    const raw = p.rows.find((r) => r.column === 'raw')!;
    expect(raw.text).toMatch(/customer <customer:[A-Z2-7]{10}> project/);
    expect(raw.replacements.filter((x) => x.type === 'client_id')).toEqual([]);
    expect(p.byType.customer).toBeGreaterThan(0);
    expect(p.byType.client_id).toBeUndefined();
    const t = await engine.call('redact.test', { caseId: info.id, rules, lines: ['lookup GAMMA1234 done'] });
    expect(t.lines[0]!.replacements.map((x) => x.type)).toEqual(['customer']);
    const r = await engine.call('export.run', { caseId: info.id, selection: { where: "level = 'ERROR'" }, format: 'jsonl', plaintext: true, rules });
    const report = JSON.parse(fs.readFileSync(path.join(r.dir, 'report.json'), 'utf8')) as { replacements: { byType: { type: string; count: number }[] } };
    for (const counts of [r.byType, Object.fromEntries(report.replacements.byType.map((x) => [x.type, x.count]))]) {
      expect(counts.customer).toBeGreaterThan(0);
      expect(counts.client_id).toBeUndefined();
    }
    const data = fs.readFileSync(path.join(r.dir, 'events.jsonl'), 'utf8');
    // one token for the value wherever it is (raw, message, fields)
    expect(new Set(data.match(/<customer:[A-Z2-7]{10}>/g))).toHaveProperty('size', 1);
    expect(data).not.toContain('<client_id:');
  });

  it('refuses a client pattern that can match empty text wherever rules are used, naming the rule, and writes nothing', async () => {
    const rules = { patterns: [{ type: 'kyc', regex: 'KYC\\d{6}', action: 'pseudonymise' as const }, { type: 'customer', regex: '\\d*', action: 'pseudonymise' as const }] };
    const said = 'Rule "customer" (pattern 2): its pattern can match empty text, so it can match anywhere and replace whole lines. Make it require at least one character (for example \\d+ instead of \\d*).';
    const full = { ...rules, domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: ['user'] };
    const c = await engine.call('redact.rules.check', { caseId: info.id, rules: full });
    expect(c.errors).toEqual([said]);
    expect(c.patterns).toEqual([{ pattern: 2, level: 'error', message: said }]);
    const before = fs.readFileSync(path.join(root, 'case', 'case.json'), 'utf8');
    const exportsDir = path.join(root, 'case', 'exports');
    const exported = fs.readdirSync(exportsDir);
    await expect(engine.call('redact.rules.save', { caseId: info.id, rules: full })).rejects.toThrow(said);
    await expect(engine.call('redact.test', { caseId: info.id, rules, lines: ['x'] })).rejects.toThrow(said);
    await expect(engine.call('redact.test', { rules, lines: ['x'] })).rejects.toThrow(said);
    await expect(engine.call('export.preview', { caseId: info.id, selection: {}, limit: 1, rules })).rejects.toThrow(said);
    await expect(engine.call('export.run', { caseId: info.id, selection: {}, format: 'jsonl', plaintext: true, rules })).rejects.toThrow(said);
    expect(fs.readFileSync(path.join(root, 'case', 'case.json'), 'utf8')).toBe(before);
    expect(fs.readdirSync(exportsDir)).toEqual(exported);
    // refused before the export looks at the case: an empty case is told of the rule, not of its empty selection (the
    // export folder, a client's pseudonym key come after), and nothing is in its exports or redaction folders
    const fresh = await engine.call('cases.create', { name: 'fresh', dir: path.join(root, 'case-fresh') });
    await expect(engine.call('export.run', { caseId: fresh.id, selection: {}, format: 'jsonl', plaintext: true, rules })).rejects.toThrow(said);
    expect(fs.readdirSync(path.join(fresh.dir, 'exports'))).toEqual([]);
    expect(fs.existsSync(path.join(fresh.dir, 'redaction'))).toBe(false);
  });

  it('with the tester\'s sample, says of a pattern that takes a whole line that it is likely too broad, beside the rule', async () => {
    const rules = { patterns: [{ type: 'ref', regex: '[a-z ]+', action: 'pseudonymise' as const }], domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: ['user'] };
    const c = await engine.call('redact.rules.check', { caseId: info.id, rules, sample: ['ABC-1', 'payment failed for order'] });
    const said = 'Rule "ref" (pattern 1) matches the whole of sample line 2, so it would replace that line whole: it is likely too broad.';
    expect(c).toEqual({ errors: [], warnings: [said], patterns: [{ pattern: 1, level: 'warning', message: said }] });
  });

  it('refuses a bad RE2 pattern with its reason and writes nothing', async () => {
    const before = fs.readFileSync(path.join(root, 'case', 'case.json'), 'utf8');
    await expect(engine.call('redact.rules.save', { caseId: info.id, rules: { patterns: [{ type: 'x', regex: '(?<=a)b', action: 'pseudonymise' }], domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: [] } }))
      .rejects.toThrow(/not a valid RE2 expression/);
    expect(fs.readFileSync(path.join(root, 'case', 'case.json'), 'utf8')).toBe(before);
  });

  it('refuses oversize rules at the contract: long patterns, too many, huge word lists, bad type names', async () => {
    const base = { domains: [], hosts: [], words: [], secretKeys: [], harvestKinds: [] };
    const bad = [
      { ...base, patterns: [{ type: 'x', regex: 'a'.repeat(501), action: 'pseudonymise' }] },
      { ...base, patterns: Array.from({ length: 101 }, () => ({ type: 'x', regex: 'a', action: 'pseudonymise' })) },
      { ...base, patterns: [], words: [{ type: 'x', words: Array.from({ length: 10_001 }, (_, i) => `w${i}`), action: 'remove' }] },
      { ...base, patterns: [{ type: 'X; DROP', regex: 'a', action: 'pseudonymise' }] },
      { ...base, patterns: [], secretKeys: ['k'.repeat(65)] },
    ];
    for (const rules of bad) await expect(engine.call('redact.rules.save', { caseId: info.id, rules: rules as never })).rejects.toThrow();
    expect((await engine.call('redact.rules.get', { caseId: info.id })).patterns[0]?.regex).toBe('TXN[0-9]{6}');
  });

  it('a catastrophic pattern is accepted as RE2 but never backtracks: it stays in re2js (linear time)', async () => {
    const hostile = 'a'.repeat(30_000) + '!';
    const t = performance.now();
    const r = await engine.call('redact.test', { rules: { patterns: [{ type: 'x', regex: '(a+)+$', action: 'pseudonymise' }, { type: 'y', regex: '(?:a|aa)*c', action: 'pseudonymise' }] }, lines: [hostile, `${'a'.repeat(40)}c`] });
    expect(performance.now() - t).toBeLessThan(20_000); // V8 backtracking would not return (2^30000 paths)
    expect(r.lines[0]!.replacements).toEqual([]);
    expect(r.lines[1]!.text).toMatch(/^<y:[A-Z2-7]{10}>$/);
  });
});

describe('client rules from the site profile', () => {
  it('merges a profile\'s rules with the case\'s (lists joined), named or found from the case\'s pulls', async () => {
    await saveProfile({
      name: 'acme', target: { host: 'enrich.acme.example', user: 'ops', auth: { kind: 'agent' } }, logRoot: '/home/scribble/enrich', capBytes: 1e9,
      redaction: { words: [{ type: 'project', words: ['Quuxley'] }] },
    }, { replace: true });
    const t = await engine.call('redact.test', { caseId: info.id, profile: 'acme', lines: ['Quuxley met Zorblax about TXN123456'] });
    // profile word list and case rules (word list, pattern) both apply
    expect(t.lines[0]!.text).toMatch(/^<project:[A-Z2-7]{10}> met <removed:name> about <txn:[A-Z2-7]{10}>$/);
    const p = await engine.call('export.preview', { caseId: info.id, profile: 'acme', selection: { where: "level = 'ERROR'" }, limit: 50 });
    expect(JSON.stringify(p.rows)).not.toContain('Quuxley');
    // without a case: the profile alone
    const alone = await engine.call('redact.test', { profile: 'acme', lines: ['Quuxley and Zorblax'] });
    expect(alone.lines[0]!.text).toMatch(/^<project:[A-Z2-7]{10}> and Zorblax$/);
    await expect(engine.call('redact.test', { profile: 'nosuch', lines: ['x'] })).rejects.toThrow(/No profile named "nosuch"/);
    await expect(engine.call('redact.test', { profile: '../../etc/passwd', lines: ['x'] })).rejects.toThrow();
  });

  it('mergeRules joins lists without repeats and keeps the last harvestKinds', () => {
    expect(mergeRules({ hosts: ['a'], harvestKinds: ['user'] }, { hosts: ['a', 'b'], secretKeys: ['pin'] }, { harvestKinds: [] }))
      .toEqual({ hosts: ['a', 'b'], secretKeys: ['pin'], harvestKinds: [] });
  });
});

async function vaultPair(): Promise<KeyVault & { fingerprint: string }> {
  const k = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'operator', email: 'op@example.com' }], format: 'object' });
  return {
    fingerprint: k.publicKey.getFingerprint(),
    operator: {
      fingerprint: k.publicKey.getFingerprint(),
      encrypt: async (data) => openpgp.encrypt({ message: await openpgp.createMessage({ binary: data }), encryptionKeys: k.publicKey, config: { aeadProtect: false } }) as Promise<string>,
    },
    decrypt: async (armored) => (await openpgp.decrypt({ message: await openpgp.readMessage({ armoredMessage: armored }), decryptionKeys: k.privateKey, format: 'binary' })).data as Uint8Array,
  };
}

describe('per-client pseudonym key', () => {
  it('same client: the same tokens in two exports; another client or per-export: different tokens; the key is stored encrypted', async () => {
    const h = engine.context.getCase(info.id);
    const vault = await vaultPair();
    const tokens = async (opts: { scope: 'per-export' } | { scope: 'per-client'; client: string }) => {
      const key = opts.scope === 'per-client' ? await clientPseudonymKey(h.dir, opts.client, vault) : undefined;
      const r = await runExport(h, { selection: {}, format: 'jsonl', recipient: null, workers: 1, ...(key ? { pseudonymScope: 'per-client' as const, pseudonymKey: key } : {}) });
      const text = fs.readFileSync(path.join(r.dir, 'events.jsonl'), 'utf8');
      const report = JSON.parse(fs.readFileSync(path.join(r.dir, 'report.json'), 'utf8')) as { settings: { pseudonymScope: string } };
      expect(report.settings.pseudonymScope).toBe(opts.scope);
      return [...text.matchAll(/<(?:user|client_id):[A-Z2-7]{10}>/g)].map((m) => m[0]).sort();
    };
    const a1 = await tokens({ scope: 'per-client', client: 'acme' });
    const a2 = await tokens({ scope: 'per-client', client: 'acme' });
    const b = await tokens({ scope: 'per-client', client: 'globex' });
    const e1 = await tokens({ scope: 'per-export' });
    const e2 = await tokens({ scope: 'per-export' });
    expect(a1.length).toBeGreaterThan(0);
    expect(a2).toEqual(a1);
    expect(b.some((t) => a1.includes(t))).toBe(false);
    expect(e1.some((t) => e2.includes(t))).toBe(false);
    // stored in the case, outside exports/, encrypted to the operator: no key bytes, no client name in the clear
    const file = clientKeyFile(h.dir, 'acme');
    expect(path.relative(h.dir, file)).toMatch(/^redaction[/\\]clients[/\\][0-9a-f]{32}\.key\.pgp$/);
    const stored = fs.readFileSync(file, 'utf8');
    expect(stored).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(stored).not.toContain('acme');
    const key = await clientPseudonymKey(h.dir, 'acme', vault);
    expect(stored).not.toContain(key.toString('base64'));
    // another operator key cannot open it; without an operator key no client key is made
    const other = await vaultPair();
    await expect(clientPseudonymKey(h.dir, 'acme', other)).rejects.toThrow();
    await expect(clientPseudonymKey(h.dir, 'initech', { ...vault, operator: null })).rejects.toThrow(/encrypted to your own key/);
    expect(fs.existsSync(clientKeyFile(h.dir, 'initech'))).toBe(false);
  }, 120_000);

  it('a stored client key that is a pipe or a link (to /dev/zero, to a key outside the case) is refused in words at once, left as it is', async () => {
    const h = engine.context.getCase(info.id);
    const vault = await vaultPair();
    const file = clientKeyFile(h.dir, 'umbrella');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const outside = path.join(root, 'outside.key.pgp');
    fs.writeFileSync(outside, 'not this case\'s');
    for (const [make, why] of [[() => execFileSync('mkfifo', [file]), 'not a regular file (a device, pipe or socket)'], [() => fs.symlinkSync('/dev/zero', file), 'a link: not followed'], [() => fs.symlinkSync(outside, file), 'a link: not followed']] as const) {
      make();
      const t0 = Date.now();
      await expect(clientPseudonymKey(h.dir, 'umbrella', vault)).rejects.toThrow(`The stored pseudonym key for this client (${path.basename(file)}) cannot be read (${why}); move it away to start a new one.`);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(fs.lstatSync(file).isFile()).toBe(false);
      fs.rmSync(file);
    }
    expect(fs.readFileSync(outside, 'utf8')).toBe('not this case\'s');
  }, 60_000);
});

describe('an export into a case whose folder is gone', () => {
  it('is refused in words and does not make the case folder again', async () => {
    const gone = await engine.call('cases.create', { name: 'gone', dir: path.join(root, 'gone-case') });
    await engine.call('import.paths', { caseId: gone.id, paths: [path.join(root, 'bundle')] });
    // The folder deleted (or moved, or its disk pulled) while the case is open.
    fs.rmSync(gone.dir, { recursive: true, force: true });
    const run = engine.call('export.run', { caseId: gone.id, selection: {}, format: 'jsonl', plaintext: true });
    await expect(run).rejects.toMatchObject({ error: { code: 'not_found', message: expect.stringMatching(/case folder .*gone-case is gone .*nothing was exported/) } });
    expect(fs.existsSync(gone.dir)).toBe(false);
    // runExport itself refuses too (the job's handler is not its only caller)
    const h = engine.context.getCase(gone.id);
    await expect(runExport(h, { selection: {}, format: 'jsonl', recipient: null, workers: 1 })).rejects.toThrow(/is gone/);
    expect(fs.existsSync(gone.dir)).toBe(false);
  }, 120_000);
});
