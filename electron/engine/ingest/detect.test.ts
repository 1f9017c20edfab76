// Detection on files as operators really get them: a shell command or a banner first, the tail of a traceback
// first, one long traceback under one header; ambiguity resolved by the share of lines explained, said in the reason;
// envelopes only where they explain the file better.
import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { detectFormat } from './detect';
import { CaseHandle } from '../case/caseStore';
import { importPaths } from './importer';
import { removeDir, tempDir, writeAt } from '../../testkit/tmp';

const UUID = '9080c216-f7ac-4672-8678-fd3d8f598bcf';
const celery = (i: number, level = 'INFO') => `[2023-07-06 11:21:${String(10 + i).padStart(2, '0')},357: ${level}/MainProcess] Task search_timeline[${UUID}] received`;
const TRACE = ['Traceback (most recent call last):', '  File "/app/tasks.py", line 10, in run', '    raise ValueError("bad")', 'ValueError: bad'];

describe('detection by records', () => {
  it('an empty or blank-only file is raw, never an envelope', () => {
    for (const head of [[], [''], ['', '  ', '']]) {
      const d = detectFormat('logs/empty.log', head);
      expect(d.envelope).toBeUndefined();
      expect(d.format.id).toBe('raw');
      expect(d.reason).not.toContain('NaN');
    }
  });

  it('a shell command before the log', () => {
    const d = detectFormat('ticket/paste.txt', ['$ docker logs --tail 50 worker', celery(1), celery(2), ...TRACE, celery(3)]);
    expect(d.format.id).toBe('celery');
    expect(d.reason).toMatch(/after 1 leading line/);
  });

  it('the Celery start-up banner before the records', () => {
    const banner = [
      ' ', ' -------------- celery@worker1 v5.2.7 (dawn-chorus)', '--- ***** ----- ', '-- ******* ---- Linux-5.15.0-x86_64 2023-07-06 11:21:00',
      '- *** --- * --- ', '- ** ---------- [config]', '- ** ---------- .> app:         enrich:0x7f', '- ** ---------- .> transport:   redis://localhost:6379/0',
      '- *** --- * --- .> concurrency: 4 (prefork)', '-- ******* ---- .> task events: OFF', '--- ***** ----- ', ' -------------- [queues]',
      '                .> celery           exchange=celery(direct) key=celery', '', '[tasks]', '  . search_timeline', '',
    ];
    const d = detectFormat('worker.log', [...banner, celery(1), celery(2)]);
    expect(d.format.id).toBe('celery');
  });

  it('the tail of a traceback first (a rotation cut mid-record)', () => {
    expect(detectFormat('celery.1', [...TRACE.slice(1), celery(1), celery(2, 'ERROR'), ...TRACE]).format.id).toBe('celery');
  });

  it('a sample that is mostly one long traceback under one header', () => {
    const frames = Array.from({ length: 300 }, (_, i) => `  File "/lib/python3.11/site-packages/mod${i}.py", line ${i}, in f${i}`);
    const d = detectFormat('jupyter-server.txt', ['[E 2021-04-09 11:01:43.064 ServerApp] Uncaught exception GET /api/kernels', ...TRACE.slice(0, 1), ...frames, 'ValueError: bad']);
    expect(d.format.id).toBe('jupyter');
    expect(d.reason).toMatch(/\(100%\) are in 1 "Jupyter server log" record/);
  });

  it('ambiguity is resolved by the share of lines explained, and the reason says so', () => {
    // Every line starts like a generic timestamped record, only some like Celery's: generic explains more.
    const lines = ['2023-07-06 11:21:00,000 INFO plain', celery(1), '2023-07-06 11:21:02,000 INFO plain', '2023-07-06 11:21:03,000 INFO plain'];
    const d = detectFormat('mixed.log', lines);
    expect(d.format.id).toBe('generic-text');
    expect(d.reason).toMatch(/best-explained share of lines over celery 75%/);
    // Equal shares: the more specific format wins, and the reason calls it a tie.
    const tie = detectFormat('worker.log', [celery(1), celery(2)]);
    expect(tie.format.id).toBe('celery');
    expect(tie.reason).toMatch(/generic-text 100% \(a tie: the more specific format wins\)/);
  });

  it('a stamp-only envelope does not beat a format that reads the stamp and more', () => {
    const d = detectFormat('app.log', ['2024-05-01T10:00:00.123Z INFO hello', '2024-05-01T10:00:01.456Z ERROR boom']);
    expect(d.format.id).toBe('generic-text');
    expect(d.envelope).toBeUndefined();
  });

  it('an envelope with fields wins on plain messages; one that explains nothing is not taken', () => {
    const j = detectFormat('messages', ['Jul  5 09:13:44 web01 sshd[1023]: Accepted publickey', 'Jul  5 09:13:45 web01 sshd[1023]: session opened']);
    expect(j.envelope?.def.id).toBe('journald');
    expect(detectFormat('notes.md', ['> hello', 'plain prose', 'more prose', 'and more']).envelope).toBeUndefined();
  });

  it('the operator\'s override forces a format, envelope or not', () => {
    const d = detectFormat('x/messages', ['Jul  5 09:13:44 web01 sshd[1023]: Accepted'], [{ format: 'raw', glob: 'x/**' }]);
    expect(d).toMatchObject({ format: { id: 'raw' }, reason: 'operator override: raw=x/**' });
  });
});

describe('hostile envelopes', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach(removeDir));

  it('a compose file naming a new service on every line: bounded streams, every line kept', async () => {
    const root = tempDir();
    dirs.push(root);
    const n = 3000;
    const text = Array.from({ length: n }, (_, i) => `svc-${i}  | 2024-05-01 10:00:00,000 INFO line ${i}`).join('\n') + '\n';
    writeAt(path.join(root, 'b'), 'compose.log', text);
    const handle = await CaseHandle.create(path.join(root, 'case'), { name: 't', timezone: 'UTC' });
    try {
      const res = await importPaths(handle, [path.join(root, 'b')]);
      expect(res.files[0]!.lines).toBe(n);
      const [row] = await handle.db.read<{ lines: number; n: number; timed: number; service: string }>(
        `SELECT sum(line_count)::INTEGER AS lines, count(*)::INTEGER AS n, count(ts)::INTEGER AS timed, max(fields->>'service') AS service FROM events`);
      expect(row).toMatchObject({ lines: n, n, timed: n });
    } finally {
      await handle.close();
    }
  }, 60_000);

  it('a service first seen past the head is still imported, as raw text, every line kept', async () => {
    const root = tempDir();
    dirs.push(root);
    const head = Array.from({ length: 1500 }, (_, i) => `web-1  | 2024-05-01 10:00:00,000 INFO padding line ${i} ${'x'.repeat(40)}`);
    const late = ['late-1  | something the head never showed', 'late-1  | and more'];
    writeAt(path.join(root, 'b'), 'compose.log', [...head, ...late].join('\n') + '\n');
    const handle = await CaseHandle.create(path.join(root, 'case'), { name: 't', timezone: 'UTC' });
    try {
      await importPaths(handle, [path.join(root, 'b')]);
      const rows = await handle.db.read<{ source: string; n: number; lines: number }>(
        `SELECT source, count(*)::INTEGER AS n, sum(line_count)::INTEGER AS lines FROM events GROUP BY 1 ORDER BY 1`);
      expect(rows).toEqual([{ source: 'generic-text', n: 1500, lines: 1500 }, { source: 'raw', n: 2, lines: 2 }]);
    } finally {
      await handle.close();
    }
  }, 60_000);
});
