// A trail tampered with by hand, through the contract as the Audit view and `casefile audit` see it: every damage is
// told in words (never a crash, never ok), the check is recorded as failed, and the list still shows what the file
// holds. trail.test.ts has the chain's own cases (edited, deleted, swapped, cut, forged); these are lines no writer
// makes: nested past any entry, shaped like an entry without its fields, a duplicate, a 30 MB line.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine';
import { removeDir, tempDir } from '../../testkit/tmp';
import { readAudit } from './trail';
import { appFiles } from '../case/paths';

let root: string;
let engine: Engine;
let caseId: string;
let file: string;
let clean: string[];

beforeAll(async () => {
  root = tempDir('casefile-hostile-trail-');
  engine = await Engine.create({ via: 'test' });
  const c = (await engine.invoke('cases.create', { name: 'tampered', dir: path.join(root, 'case') })) as { id: string; dir: string };
  caseId = c.id;
  for (const text of ['a', 'b', 'c']) await engine.invoke('audit.matchText', { caseId, text });
  file = path.join(c.dir, 'audit.jsonl');
  clean = readFileSync(file, 'utf8').trimEnd().split('\n');
});
afterAll(async () => { await engine?.close(); removeDir(root); });

interface Verify { ok: boolean; firstBroken: { seq: number | null; line: number; problem: string } | null }

/** The trail as `lines`, then verify and list on it, and the verify's own entry; the clean trail put back after. */
async function tampered(lines: string[]) {
  writeFileSync(file, `${lines.join('\n')}\n`);
  try {
    const verify = (await engine.invoke('audit.verify', { caseId })) as Verify;
    const recorded = (await readAudit(file, { action: 'audit.verify' })).at(-1)!.result;
    const list = (await engine.invoke('audit.list', { caseId, limit: 100 })) as { seq: number; action: string; time: string; result: { status: string; message?: string } }[];
    return { verify, recorded, list };
  } finally {
    writeFileSync(file, `${clean.join('\n')}\n`);
  }
}

const deep = (seq: number) => `{"seq":${seq},"hash":"00","prev":"00","action":"x","params":{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;

it('an entry nested past anything the app writes is a damaged line, in the middle and at the end; verify was a stack overflow', async () => {
  const mid = await tampered([clean[0]!, deep(2), ...clean.slice(1)]);
  expect(mid.verify.firstBroken).toEqual({ seq: null, line: 2, problem: 'Line 2 is not an audit entry (damaged or inserted text in the middle of the log).' });
  expect(mid.recorded).toMatchObject({ status: 'error', message: expect.stringMatching(/^verification failed at line 2: Line 2 is not an audit entry/) });
  expect(mid.list.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]); // the clean entries and this verify's own
  const end = await tampered([...clean, deep(clean.length + 1)]);
  expect(end.verify.ok).toBe(false);
  expect(end.verify.firstBroken?.problem).toMatch(/^The log ends in an incomplete entry at line 5/);
});

it('a line shaped like an entry but without an entry\'s fields is listed as it is and breaks the chain; the list failed on it', async () => {
  const forged = `{"seq":${clean.length + 1},"hash":"00","prev":"00","time":7,"params":"p","result":5,"operator":"me","app":{"version":2}}`;
  const r = await tampered([...clean, forged, `{"seq":${clean.length + 2},"hash":"00","prev":"00","result":{"status":"maybe","counts":{"a":"1","b":2}}}`]);
  expect(r.verify.firstBroken).toEqual({ seq: clean.length + 1, line: clean.length + 1, problem: `Entry ${clean.length + 1} does not match its hash: it was edited.` });
  expect(r.recorded.status).toBe('error');
  const [first, last] = [1, 2].map((n) => r.list.find((e) => e.seq === clean.length + n));
  expect(first).toMatchObject({ seq: clean.length + 1, time: '7', action: '', params: { '(not an object)': '"p"' }, result: { status: 'error', message: 'This entry has no readable result.' } });
  expect(last).toMatchObject({ seq: clean.length + 2, result: { status: 'error', message: 'This entry has no readable result.', counts: { b: 2 } } });
});

it('an entry number no entry has (0, negative, past 2^53) is a damaged line: it was said to "appear again", or "entries 3–1e+21 were deleted"', async () => {
  for (const seq of ['0', '-5', '1e21', '9007199254740993']) {
    const r = await tampered([clean[0]!, `{"seq":${seq},"hash":"00","prev":"00","action":"x"}`, ...clean.slice(1)]);
    expect(r.verify.firstBroken, seq).toEqual({ seq: null, line: 2, problem: 'Line 2 is not an audit entry (damaged or inserted text in the middle of the log).' });
    expect(r.list.map((e) => e.seq), seq).not.toContain(Number(seq));
  }
});

it('a duplicated entry, reordered lines, a 30 MB line: each said where it is; never ok', async () => {
  const dup = await tampered([...clean.slice(0, 2), clean[1]!, ...clean.slice(2)]);
  expect(dup.verify.firstBroken).toEqual({ seq: 2, line: 3, problem: 'Entry 2 appears again where entry 3 was expected: an entry was inserted or lines were reordered.' });
  const swapped = await tampered([clean[1]!, clean[0]!, ...clean.slice(2)]);
  expect(swapped.verify.firstBroken).toEqual({ seq: 2, line: 1, problem: 'Entry 2 comes where entry 1 was expected (entry 1 is later, at line 2): entries were reordered.' });
  const huge = await tampered([clean[0]!, clean[1]!.replace('"params":{', `"params":{"pad":"${'x'.repeat(30 << 20)}",`), ...clean.slice(2)]);
  expect(huge.verify.firstBroken).toEqual({ seq: 2, line: 2, problem: 'Entry 2 does not match its hash: it was edited.' });
  for (const r of [dup, swapped, huge]) expect([r.verify.ok, r.recorded.status]).toEqual([false, 'error']);
  expect((await engine.invoke('audit.verify', { caseId }) as Verify).ok).toBe(false); // the clean lines back, but the head record saw more
}, 120_000);

it('a trail that is a pipe, a link (to /dev/zero, to a file outside) or a folder: every read and write says so at once; nothing goes through it; the call is recorded in the app\'s trail', async () => {
  const outside = path.join(root, 'outside.jsonl');
  const shapes: Array<[RegExp, () => void]> = [
    [/is not a regular file \(a device, pipe or socket\)/, () => execFileSync('mkfifo', [file])],
    [/is a link:/, () => symlinkSync('/dev/zero', file)],
    [/is a link:/, () => { writeFileSync(outside, `${clean.join('\n')}\n`); symlinkSync(outside, file); }],
    [/is a folder:/, () => mkdirSync(file)],
  ];
  const kept = path.join(root, 'kept.jsonl');
  const trailBefore = readFileSync(file, 'utf8');
  renameSync(file, kept);
  try {
    for (const [says, make] of shapes) {
      make();
      const outsideBefore = existsSync(outside) ? readFileSync(outside, 'utf8') : null;
      const t0 = Date.now();
      const verify = (await engine.invoke('audit.verify', { caseId })) as Verify;
      expect(verify.ok).toBe(false);
      expect(verify.firstBroken?.problem).toMatch(says);
      expect(verify.firstBroken?.problem).toContain(`The audit log ${file} is `);
      expect(verify.firstBroken?.problem).toContain('a trail is never read or written through one');
      await expect(engine.invoke('audit.list', { caseId, limit: 10 })).rejects.toThrow(says);
      await expect(readAudit(file)).rejects.toThrow(says);
      // The check is recorded in the app's trail, with why the case's could not take it.
      const app = (await readAudit(appFiles().audit, { action: 'audit.verify' })).at(-1)!;
      expect(app.result.status).toBe('error');
      expect(app.result.message).toMatch(says);
      expect(app.result.message).toMatch(/case audit unavailable: The audit log /);
      expect(Date.now() - t0).toBeLessThan(20_000);
      if (outsideBefore !== null) expect(readFileSync(outside, 'utf8')).toBe(outsideBefore);
      rmSync(file, { recursive: true });
    }
  } finally { renameSync(kept, file); }
  // The trail moved aside was never touched: nothing was written to the case's trail while it was not there.
  expect(readFileSync(file, 'utf8')).toBe(trailBefore);
}, 120_000);
