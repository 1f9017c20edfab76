// The engine's layers, checked on its import graph so they stay true: a module imports its own folder and the
// layers below it, never a peer's or a higher layer's internals. Only the wiring (each folder's handlers.ts, the
// handler API and the engine at the top) reaches across feature folders.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ENGINE = path.resolve(import.meta.dirname);

/** Lower ranks sit below higher ones; equal ranks are peers and do not import each other. */
const RANK: Record<string, number> = {
  util: 0,
  formats: 1, store: 1, evidence: 1,
  case: 2,
  ingest: 3, query: 3, correlate: 3, jobs: 3, crypto: 3, transport: 3, redact: 3,
  // Audit verifies what the features stored (custody recomputes from them), so it sits above them.
  audit: 4,
  // An export reads the query layer, redacts and records itself in the trail.
  export: 5, app: 5,
};
const WIRING = 6; // <folder>/handlers.ts and api.ts: may use any folder's modules
const TOP = 7; // engine.ts, handlers.ts

/** Upward imports still to fold, each named; a new one fails the test. */
const KNOWN = new Set([
  // The case mirrors the audit head at each writer close: the trail and its mirror belong below case.
  'case/caseStore → audit/headMirror',
]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}

interface Place { rel: string; folder: string | null; rank: number }
function place(file: string): Place {
  const rel = path.relative(ENGINE, file).replace(/\\/g, '/').replace(/\.tsx?$/, '');
  const [first, ...rest] = rel.split('/');
  if (!rest.length) return { rel, folder: null, rank: first === 'api' ? WIRING : TOP };
  if (rest.join('/') === 'handlers') return { rel, folder: first!, rank: WIRING };
  const rank = RANK[first!];
  if (rank === undefined) throw new Error(`engine folder ${first} has no layer: add it to RANK`);
  return { rel, folder: first!, rank };
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) out.push((m[1] ?? m[2])!);
  return out;
}

export function violations(): string[] {
  const bad: string[] = [];
  for (const file of sources(ENGINE)) {
    const from = place(file);
    for (const spec of importsOf(file)) {
      const target = path.resolve(path.dirname(file), spec);
      if (!target.startsWith(ENGINE + path.sep)) {
        if (/\/electron\/(shell|serve|cli|door|testkit|bench|tools)\//.test(target + '/')) bad.push(`${from.rel} → ${path.relative(ENGINE, target)} (outside the engine)`);
        continue;
      }
      const to = place(target);
      if (from.folder && from.folder === to.folder && to.rank !== WIRING) continue;
      const ok = from.rank === TOP ? to.rank <= TOP : from.rank === WIRING ? to.rank <= WIRING : to.rank < from.rank;
      if (!ok && !KNOWN.has(`${from.rel} → ${to.rel}`)) bad.push(`${from.rel} → ${to.rel}`);
    }
  }
  return bad;
}

describe('engine layers', () => {
  it('no module imports a peer folder, a higher layer or the wiring', () => {
    expect(violations()).toEqual([]);
  });

  it('the check sees an upward import (it can fail)', () => {
    const store = place(path.join(ENGINE, 'store', 'db.ts'));
    const query = place(path.join(ENGINE, 'query', 'events.ts'));
    const ingest = place(path.join(ENGINE, 'ingest', 'importer.ts'));
    expect(store.rank).toBeLessThan(query.rank);
    expect(query.rank).toBe(ingest.rank);
    expect(importsOf(path.join(ENGINE, 'query', 'events.ts'))).toContain('../store/sql');
  });
});
