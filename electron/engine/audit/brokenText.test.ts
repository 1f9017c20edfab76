// The words a broken chain is reported in (shared/auditVerifyText.ts), on real trails broken the ways the QA pass
// met: a cut tail before and after the next append (a recorded tear), an edited entry in the middle, a torn last
// line, a missing head record, a rewritten end. Each must read as one story: where it breaks, what still chains.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendAudit, headFile, verifyAudit } from './trail';
import { breakPlace, brokenExtent } from '../../../shared/auditVerifyText';

let dir: string;
let file: string;
const home = process.env.CASEFILE_HOME;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'casefile-audit-text-'));
  process.env.CASEFILE_HOME = path.join(dir, 'home');
  file = path.join(dir, 'audit.jsonl');
  for (let i = 1; i <= 14; i++) await append(i);
});
afterEach(async () => {
  if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
  await fs.rm(dir, { recursive: true, force: true });
});

const append = (i: number) => appendAudit(file, { action: 'events.query', params: { i }, result: { status: 'ok' }, via: 'test' });
const lines = async () => (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
const story = async () => {
  const r = await verifyAudit(file);
  expect(r.ok).toBe(false);
  return { r, place: breakPlace(r), extent: brokenExtent(r) };
};

describe('a broken chain in words', () => {
  it('a cut tail: the missing end, then, once the next append recorded the tear, the tear and what chains on', async () => {
    await fs.writeFile(file, (await lines()).slice(0, 10).join('\n') + '\n'); // entries 11–14 cut off
    const cut = await story();
    expect(cut.place).toBe('entry 11 (line 11)');
    expect(cut.r.firstBroken!.problem).toMatch(/ends at entry 10 but its head record says entry 14 was written/);
    expect(cut.extent).toBe('Entries 1–10 chain correctly; what came after entry 10 is missing and cannot be verified.');

    // The next append records the tear as entry 11; three more entries chain on after it (to 14 again).
    for (let i = 0; i < 3; i++) await append(100 + i);
    const torn = await story();
    expect(torn.r).toMatchObject({ openTear: 11, headSeq: 14, entries: 14 });
    expect(torn.place).toBe('entry 11 (line 11, the tear record)');
    expect(torn.r.firstBroken!.problem).toMatch(/expected entry 14 .* found the log ending at entry 10; recorded by entry 11/);
    // Not "broken at 11" beside a bare "verified up to 14": what chains is said on each side of the cut.
    expect(torn.extent).toBe('Entries 1–10 (before the cut) and entries 11–14 (written since, starting with the tear record) chain correctly; the entries that were cut off or rewritten cannot be verified.');
  });

  it('an edited entry in the middle: what chains before it, and that the rest is not vouched for', async () => {
    const ls = await lines();
    ls[4] = ls[4]!.replace('"i":5', '"i":6');
    await fs.writeFile(file, ls.join('\n') + '\n');
    const { place, extent, r } = await story();
    expect(place).toBe('entry 5 (line 5)');
    expect(r.firstBroken!.problem).toBe('Entry 5 does not match its hash: it was edited.');
    expect(extent).toBe('Entries 1–4 chain correctly; from the break on, the last 10 entries cannot be verified.');
  });

  it('a torn last line, a missing head record, a rewritten end', async () => {
    await fs.appendFile(file, '{"v":1,"seq":15,"ti');
    let s = await story();
    expect(s.place).toBe('line 15');
    expect(s.extent).toBe('Entries 1–14 chain correctly; only the incomplete last line is no entry.');

    await fs.writeFile(file, (await lines()).slice(0, 14).join('\n') + '\n');
    const head = await fs.readFile(headFile(file), 'utf8');
    await fs.rm(headFile(file));
    s = await story();
    expect(s.extent).toBe('Entries 1–14 chain correctly, but a cut-off end cannot be ruled out.');

    await fs.writeFile(headFile(file), head.replace(/("hash": ?")[0-9a-f]{4}/, '$1ffff'));
    s = await story();
    expect(s.place).toBe('entry 14 (line 14)');
    expect(s.extent).toBe('Entries 1–14 chain to each other, but entry 14 is not the one recorded earlier: the chain cannot vouch for the log up to it.');
  });
});
