// What an open makes of a hostile `running` folder (audit/runMarks.ts): garbage, cut-short and huge files, links out
// of the case (the file and the folder itself), a folder named like a mark, marks whose fields are not what this app
// writes (no operator, a start that is no time, terminal escapes, 100 KB strings, another case's id), and a folder of
// them. The open never fails nor hangs on them, never reads or removes through a link, writes nothing unbounded or
// unescaped into the trail, keeps what is not a mark and says so in one entry; a read-only open touches nothing.
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine';
import { CaseHandle } from '../case/caseStore';
import { removeDir, tempDir } from '../../testkit/tmp';
import { readAudit } from './trail';
import { INTERRUPTED_ACTION, MARKED_CALLS, MAX_MARKS_PER_OPEN, SKIPPED_ACTION, recordInterrupted } from './runMarks';
import type { CaseInfo } from '../../../shared/domain';
import { specOf, type CallName } from '../../../shared/contract';

const root = tempDir('casefile-hostile-marks-');
afterAll(() => removeDir(root));

const ESC = '\u001b[2J\u001b]0;owned\u0007';
const BIDI = '\u202egol.exe';

function mark(id: string, over: Record<string, unknown> = {}) {
  return {
    id, action: 'import.paths', started: '2026-11-29T10:00:00.000Z', operator: { name: 'Dana Example' }, host: 'h', via: 'cli',
    app: { version: '1' }, params: { caseId: 'x', paths: ['/evidence'] }, ...over,
  };
}

async function makeCase(name: string): Promise<string> {
  process.env.CASEFILE_HOME = path.join(root, 'home');
  const dir = path.join(root, name);
  const engine = await Engine.create({ via: 'test' });
  try { await engine.invoke('cases.create', { name, dir }); } finally { await engine.close(); }
  return dir;
}

async function openWithEngine(dir: string): Promise<CaseInfo> {
  const engine = await Engine.create({ via: 'test' });
  try { return (await engine.invoke('cases.open', { dir })) as CaseInfo; } finally { await engine.close(); }
}

const trail = (dir: string) => readAudit(path.join(dir, 'audit.jsonl'));

describe('hostile marks in running/', () => {
  it('files that are not marks: kept as found, none read through a link, said in one entry; the good mark recorded', async () => {
    const dir = await makeCase('files');
    const running = path.join(dir, 'running');
    mkdirSync(running, { recursive: true });
    const outside = path.join(root, 'outside-mark.json');
    const outsideText = JSON.stringify(mark('link'));
    writeFileSync(outside, outsideText);
    writeFileSync(path.join(running, 'garbage.json'), 'not json {');
    writeFileSync(path.join(running, 'cut.json'), JSON.stringify(mark('cut')).slice(0, 40));
    writeFileSync(path.join(running, 'array.json'), '[1,2,3]');
    writeFileSync(path.join(running, 'huge.json'), '');
    truncateSync(path.join(running, 'huge.json'), 200 << 20); // 200 MB (sparse)
    symlinkSync(outside, path.join(running, 'link.json'));
    mkdirSync(path.join(running, 'folder.json'));
    writeFileSync(path.join(running, 'nooperator.json'), JSON.stringify(mark('nooperator', { operator: null })));
    writeFileSync(path.join(running, 'notime.json'), JSON.stringify(mark('notime', { started: "x'; DROP TABLE files; --" })));
    writeFileSync(path.join(running, 'noparams.json'), JSON.stringify(mark('noparams', { params: undefined })));
    writeFileSync(path.join(running, 'othercall.json'), JSON.stringify(mark('othercall', { action: 'export.run' })));
    writeFileSync(path.join(running, 'good.json'), JSON.stringify(mark('good', { params: { caseId: 'another-case', paths: ['/evidence'] } })));

    const info = await openWithEngine(dir);
    const t = await trail(dir);
    const skipped = t.filter((e) => e.action === SKIPPED_ACTION);
    expect(skipped).toHaveLength(1);
    const s = skipped[0]!;
    expect(s.caseId).toBe(info.id);
    const why = Object.fromEntries((s.params.skipped as { name: string; why: string }[]).map((x) => [x.name, x.why]));
    expect(why).toEqual({
      'garbage.json': 'not JSON (cut short or not a mark)', 'cut.json': 'not JSON (cut short or not a mark)',
      'array.json': 'JSON but not a mark (not an object)', 'huge.json': '209,715,200 bytes: far larger than a mark, not read',
      'link.json': 'a link: not followed', 'folder.json': 'a folder, not a mark', 'nooperator.json': 'it names no operator',
      'notime.json': 'its start time is not a time', 'noparams.json': 'it has no inputs', 'othercall.json': 'it names no call that leaves a mark',
    });
    expect(s.result).toMatchObject({ status: 'error', counts: { skipped: 10 } });
    expect(s.result.message).toMatch(/^10 things in .*running are not the mark of an import this app wrote: .*kept as found for you to look at/);
    // The one real mark: recorded under this case (not the one its params name), then removed.
    const recorded = t.filter((e) => e.action === INTERRUPTED_ACTION);
    expect(recorded.map((e) => [e.caseId, e.params.runMark, e.params.inputs])).toEqual([[info.id, 'good', { paths: ['/evidence'] }]]);
    // Everything else kept; the link is still a link and what it points at is untouched.
    expect(readdirSync(running).sort()).toEqual(['array.json', 'cut.json', 'folder.json', 'garbage.json', 'huge.json', 'link.json', 'nooperator.json', 'noparams.json', 'notime.json', 'othercall.json']);
    expect(lstatSync(path.join(running, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(outside, 'utf8')).toBe(outsideText);
    // A second open finds the same: said once (every CLI command opens the case), no import recorded twice; once
    // what is there changes, it is said again.
    await openWithEngine(dir);
    const again = await trail(dir);
    expect(again.filter((e) => e.action === SKIPPED_ACTION)).toHaveLength(1);
    expect(again.filter((e) => e.action === INTERRUPTED_ACTION)).toHaveLength(1);
    rmSync(path.join(running, 'garbage.json'));
    await openWithEngine(dir);
    const changed = (await trail(dir)).filter((e) => e.action === SKIPPED_ACTION);
    expect(changed.map((e) => e.result.counts?.skipped)).toEqual([10, 9]);
  }, 60_000);

  it('terminal escapes, bidi overrides and 100 KB strings in a mark: escaped and bounded in the trail', async () => {
    const dir = await makeCase('escapes');
    const running = path.join(dir, 'running');
    mkdirSync(running, { recursive: true });
    const long = 'A'.repeat(100_000);
    writeFileSync(path.join(running, 'esc.json'), JSON.stringify(mark('esc', {
      operator: { name: `${ESC}Mallory${BIDI}${long}` }, host: `${ESC}${long}`, via: ESC,
      params: { paths: [`/e/${ESC}${BIDI}`, long], [`k${ESC}`]: 1 },
    })));
    writeFileSync(path.join(running, `${'\u001b[31m'}red.json`), 'x');
    await openWithEngine(dir);
    const file = readFileSync(path.join(dir, 'audit.jsonl'), 'utf8');
    // Nothing raw: no ESC, BEL or bidi override in the trail's bytes, not even JSON-escaped (the views show them as \x1b).
    // eslint-disable-next-line no-control-regex -- looking for them is the point
    expect(file).not.toMatch(/\u001b|\u0007|\u202e|\\u001b|\\u0007/);
    expect(file.length).toBeLessThan(20_000);
    const [e] = (await trail(dir)).filter((x) => x.action === INTERRUPTED_ACTION);
    expect(e!.result.message).toMatch(/^An import started 2026-11-29T10:00:00.000Z by \\x1b\[2J\\x1b\]0;owned\\x07Mallory\\u202egol\.exeAAAA/);
    expect(e!.result.message!.length).toBeLessThan(700);
    const [s] = (await trail(dir)).filter((x) => x.action === SKIPPED_ACTION);
    expect(s!.params.skipped).toEqual([{ name: '\\x1b[31mred.json', why: 'not JSON (cut short or not a mark)' }]);
  }, 60_000);

  it('running/ a link out of the case: not read, nothing outside removed; an import refuses in words and changes nothing', async () => {
    const dir = await makeCase('dirlink');
    const elsewhere = path.join(root, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(path.join(elsewhere, 'victim.json'), JSON.stringify(mark('victim')));
    writeFileSync(path.join(elsewhere, 'keep.tmp'), 'theirs');
    symlinkSync(elsewhere, path.join(dir, 'running'));
    await openWithEngine(dir);
    expect(readdirSync(elsewhere).sort()).toEqual(['keep.tmp', 'victim.json']);
    const t = await trail(dir);
    expect(t.filter((e) => e.action === INTERRUPTED_ACTION)).toEqual([]);
    expect(t.filter((e) => e.action === SKIPPED_ACTION).map((e) => e.params.skipped)).toEqual([[{ name: 'running', why: 'a link, not the case\'s own folder: not followed' }]]);

    const input = path.join(root, 'dirlink-input');
    mkdirSync(input);
    writeFileSync(path.join(input, 'app.log'), '2026-11-29T10:00:00Z INFO hello\n');
    const engine = await Engine.create({ via: 'test' });
    try {
      const { id } = (await engine.invoke('cases.open', { dir })) as CaseInfo;
      await expect(engine.invoke('import.paths', { caseId: id, paths: [input] })).rejects.toThrow(/running is a link: .*never writes through a link; move it aside/);
      const [row] = await engine.context.getCase(id).db.read<{ n: number }>('SELECT count(*)::INTEGER AS n FROM files');
      expect(row?.n).toBe(0);
    } finally { await engine.close(); }
    expect(readdirSync(elsewhere).sort()).toEqual(['keep.tmp', 'victim.json']);
  }, 60_000);

  it('running a file: the open goes on and says so', async () => {
    const dir = await makeCase('runfile');
    writeFileSync(path.join(dir, 'running'), 'a file');
    await openWithEngine(dir);
    expect((await trail(dir)).filter((e) => e.action === SKIPPED_ACTION).map((e) => e.params.skipped)).toEqual([[{ name: 'running', why: 'not a folder' }]]);
    expect(readFileSync(path.join(dir, 'running'), 'utf8')).toBe('a file');
  }, 60_000);

  it('a folder of marks: one open records a bounded number, the next the rest; none twice', async () => {
    const dir = await makeCase('many');
    const running = path.join(dir, 'running');
    mkdirSync(running, { recursive: true });
    const total = MAX_MARKS_PER_OPEN + 50;
    for (let i = 0; i < total; i++) writeFileSync(path.join(running, `m${i}.json`), JSON.stringify(mark(`m${i}`)));
    await openWithEngine(dir);
    expect(readdirSync(running)).toHaveLength(50);
    await openWithEngine(dir);
    expect(readdirSync(running)).toHaveLength(0);
    const ids = (await trail(dir)).filter((e) => e.action === INTERRUPTED_ACTION).map((e) => e.params.runMark);
    expect(new Set(ids).size).toBe(total);
    expect(ids).toHaveLength(total);
  }, 120_000);

  it('a read-only open touches no mark, and writes no entry', async () => {
    const dir = await makeCase('readonly');
    const running = path.join(dir, 'running');
    mkdirSync(running, { recursive: true });
    writeFileSync(path.join(running, 'ro.json'), JSON.stringify(mark('ro')));
    writeFileSync(path.join(running, 'half.tmp'), 'x');
    writeFileSync(path.join(running, 'bad.json'), 'x');
    const before = (await trail(dir)).length;
    const h = await CaseHandle.open(dir, { readOnly: true });
    try {
      expect(h.readOnly).toBe(true);
      expect(await recordInterrupted(h, () => { throw new Error('no entry from a read-only open'); })).toBe(0);
    } finally { await h.close(); }
    expect(readdirSync(running).sort()).toEqual(['bad.json', 'half.tmp', 'ro.json']);
    expect((await trail(dir)).length).toBe(before);
    expect(existsSync(path.join(running, 'ro.json'))).toBe(true);
  }, 60_000);

  it('a call that leaves a mark has a secret field only with a test that its mark drops it (a mark is written as its entry\'s params, but to a plain file)', () => {
    // engine.ts markRun takes the policy's params. pull.run's passphrase: audit/interruptedPull.test.ts reads the mark.
    expect([...MARKED_CALLS].map((n) => [n, specOf(n as CallName).secret ?? []])).toEqual([['import.paths', []], ['pull.run', ['passphrase']]]);
  });
});
