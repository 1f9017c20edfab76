import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { plan, recordSpan, rotation } from './planner';
import type { RemoteFile } from './discover';

const f = (path: string, size: number, mtimeS: number, source: RemoteFile['source'] = 'system'): RemoteFile => ({ source, path, size, mtime: mtimeS });

describe('planner', () => {
  it('reads rotation series', () => {
    expect(rotation('logs/app/app.json.log')).toEqual({ base: 'logs/app/app.json.log', age: 0 });
    expect(rotation('logs/app/app.json.log.3')).toEqual({ base: 'logs/app/app.json.log', age: 3 });
    expect(rotation('logs/app/app.json.log.12.gz')).toEqual({ base: 'logs/app/app.json.log', age: 12 });
  });

  it('bounds a rotated file by the mtime of the next older one', () => {
    const files = [f('a.log', 1, 300), f('a.log.1', 1, 200), f('a.log.2', 1, 100), f('b.log', 1, 50)];
    const spans = recordSpan(files);
    expect(spans.get(files[0]!)).toEqual({ start: 200_000, end: 300_000 });
    expect(spans.get(files[2]!)).toEqual({ start: null, end: 100_000 });
    expect(spans.get(files[3]!)).toEqual({ start: null, end: 50_000 });
  });

  it('re-plans only what is new or grown', () => {
    const files = [f('a.log', 200, 300), f('a.log.1', 100, 200), f('b.log', 10, 50)];
    const pulled = new Map([['a.log', { size: 100, mtime: 250 }], ['a.log.1', { size: 100, mtime: 200 }]]);
    const p = plan({ files, capBytes: 1000, pulled });
    expect(p.files.map((x) => [x.path, !!x.grown])).toEqual([['a.log', true], ['b.log', false]]);
    expect(p.skipped.map((x) => [x.path, x.reason])).toEqual([['a.log.1', 'unchanged']]);
  });

  it('trimming keeps the newest files that fit, but never pulls older files in place of a newest one over the cap', () => {
    const files = [f('app.log', 600, 300), f('app.log.1', 300, 200), f('app.log.2', 300, 100)];
    const trimmed = plan({ files, capBytes: 700, overCap: 'trim' });
    expect(trimmed.files.map((x) => x.path)).toEqual(['app.log']);
    expect(trimmed.newestOverCap).toBeUndefined();
    const tooSmall = plan({ files, capBytes: 500, overCap: 'trim' });
    expect(tooSmall.refused).toBe(true);
    expect(tooSmall.files).toEqual([]);
    expect(tooSmall.newestOverCap).toEqual({ path: 'app.log', size: 600 });
    expect(tooSmall.skipped.map((x) => [x.path, x.reason])).toEqual([['app.log', 'over-cap'], ['app.log.1', 'over-cap'], ['app.log.2', 'over-cap']]);
  });

  it('never plans more than the cap, whatever the files', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ size: fc.nat({ max: 10_000 }), mtime: fc.nat({ max: 1e6 }) }), { maxLength: 40 }),
      fc.integer({ min: 1, max: 50_000 }), fc.boolean(),
      (raw, cap, trim) => {
        const files = raw.map((r, i) => f(`f${i}.log`, r.size, r.mtime));
        const p = plan({ files, capBytes: cap, overCap: trim ? 'trim' : 'refuse' });
        expect(p.bytes).toBeLessThanOrEqual(cap);
        expect(p.bytes).toBe(p.files.reduce((n, x) => n + x.size, 0));
        expect(p.files.length + p.skipped.length).toBe(files.length);
        if (p.refused) expect(p.files).toEqual([]);
        // A trimmed plan always holds the newest wanted file (else it is refused and names it).
        const newest = [...files].sort((a, b) => b.mtime - a.mtime || a.path.localeCompare(b.path))[0];
        if (trim && newest && !p.refused) expect(p.files).toContainEqual(newest);
        if (trim && p.refused) expect(p.newestOverCap).toEqual({ path: newest!.path, size: newest!.size });
      }));
  });
});
