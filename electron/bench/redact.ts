// npm run bench:redact -- [--size 20MB] [--workers N] [--seed 1]
// Efficacy of the redactor on the full labelled corpus (every gitleaks sample in every context), then throughput
// on a synthetic Enrich tree (one record per line): single core inline, and a worker_threads pool.
// Prints tables and writes .bench/redact.json. See docs/REDACTION.md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatchRedactor, type RowIn } from '../engine/redact/batch';
import { RedactPool } from '../engine/redact/pool';
import { GITLEAKS_SHA256, GITLEAKS_VERSION } from '../engine/redact/rules/gitleaks.generated';
import { generateTree } from '../testkit/synth/generate';
import { formatSize, parseSize } from '../../shared/size';
import { generateRedactionCorpus } from '../testkit/redaction/corpus';
import { evaluate } from '../testkit/redaction/evaluate';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BENCH = path.join(REPO, '.bench');
const a = process.argv.slice(2);
const val = (k: string): string | undefined => {
  const i = a.indexOf(k);
  return i >= 0 ? a[i + 1] : a.find((x) => x.startsWith(`${k}=`))?.slice(k.length + 1);
};
const size = parseSize(val('--size') ?? '20MB');
const workers = Number(val('--workers') ?? Math.max(1, os.availableParallelism()));
const seed = Number(val('--seed') ?? 1);
const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : '—');

// ---- efficacy ----------------------------------------------------------------------------------------------
const corpus = generateRedactionCorpus({ seed: 12, allContexts: true, piiRecords: 700, cleanRecords: 2000 });
const e = await evaluate(corpus);
console.log(`\nEfficacy — ${GITLEAKS_VERSION} (sha256 ${GITLEAKS_SHA256.slice(0, 12)}…), ${e.records} records, ${formatSize(e.bytes)}`);
console.log('| type | planted | caught | recall |\n|---|---:|---:|---:|');
for (const [t, r] of Object.entries(e.recall).sort()) console.log(`| ${t} | ${r.planted} | ${r.caught} | ${pct(r.caught, r.planted)} |`);
console.log(`\nleaks: ${e.leaks.length}; re-scan hits: ${e.rescanHits.length}; unsynthesised gitleaks rules: ${corpus.unsynthesised.join(', ') || 'none'}`);
console.log(`over-redaction: ${e.cleanOverRedaction.toFixed(2)} replacements per 1,000 clean records`);
console.log('| hard negative | planted | redacted |\n|---|---:|---:|');
for (const [c, n] of Object.entries(e.negatives)) console.log(`| ${c} | ${n.planted} | ${n.redacted} |`);
console.log(`consistency: ${e.consistency.consistent}/${e.consistency.entities} entities with one token; tokens shared by two entities: ${e.consistency.sharedTokens}`);

// ---- held-out efficacy: another seed, other surface forms (names, key names, phone spellings, schemes, words) ----
const held = generateRedactionCorpus({ seed: 99, heldOut: true, allContexts: true, piiRecords: 700, cleanRecords: 2000 });
const h = await evaluate(held);
console.log(`\nHeld-out efficacy (seed 99, surface forms the detectors were not tuned on), ${h.records} records, ${formatSize(h.bytes)}`);
console.log('| type | planted | caught | recall |\n|---|---:|---:|---:|');
for (const [t, r] of Object.entries(h.recall).sort()) console.log(`| ${t} | ${r.planted} | ${r.caught} | ${pct(r.caught, r.planted)} |`);
console.log(`\nleaks: ${h.leaks.length} (${[...new Set(h.leaks.map((l) => l.type))].join(', ') || 'none'}); re-scan hits (an export would be blocked): ${h.rescanHits.length}`);
console.log(`over-redaction: ${h.cleanOverRedaction.toFixed(2)} replacements per 1,000 clean records; hard negatives redacted: ${Object.values(h.negatives).reduce((n, x) => n + x.redacted, 0)}`);
console.log(`consistency: ${h.consistency.consistent}/${h.consistency.entities} entities with one token; tokens shared by two entities: ${h.consistency.sharedTokens}`);

// ---- throughput --------------------------------------------------------------------------------------------
const treeDir = path.join(BENCH, `redact-tree-${formatSize(size).replace(/\s/g, '')}-s${seed}`);
if (!fs.existsSync(path.join(treeDir, 'enrich'))) await generateTree(treeDir, { targetBytes: size, seed, faults: false });
const lines: string[] = [];
const walk = (d: string) => {
  for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, ent.name);
    if (ent.isDirectory()) walk(p);
    else if (!p.endsWith('.gz')) for (const l of fs.readFileSync(p, 'utf8').split('\n')) if (l) lines.push(l);
  }
};
walk(path.join(treeDir, 'enrich'));
const bytes = lines.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0);
const setup = {
  detectors: { idPatterns: [{ kind: 'client_id', regex: '[A-Z]{4,6}[0-9]{3,}' }], rules: { domains: ['acmeinc.com'] }, harvest: [{ type: 'user', value: 'venkata' }, { type: 'user', value: 'priya' }] },
  key: new Uint8Array(32).fill(7),
};
// ~1 MiB batches, as the export streams them
const batches: RowIn[][] = [];
let cur: RowIn[] = [];
let curBytes = 0;
lines.forEach((l, i) => {
  cur.push({ id: String(i), cells: [l] });
  curBytes += l.length;
  if (curBytes >= 1 << 20) { batches.push(cur); cur = []; curBytes = 0; }
});
if (cur.length) batches.push(cur);

const inline = new BatchRedactor(setup);
let t = performance.now();
const byType = new Map<string, number>();
for (const b of batches) for (const [k, n] of inline.run(b).byType) byType.set(k, (byType.get(k) ?? 0) + n);
const singleMs = performance.now() - t;
const pool = new RedactPool(setup, workers);
await pool.ready;
t = performance.now();
await Promise.all(batches.map((b) => pool.run(b)));
const poolMs = performance.now() - t;
await pool.close();
const mbs = (ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(1);
console.log(`\nThroughput on ${formatSize(bytes)} of synthetic logs (${lines.length} lines, ${batches.length} batches), ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}`);
console.log(`| mode | seconds | MB/s |\n|---|---:|---:|\n| single core | ${(singleMs / 1000).toFixed(1)} | ${mbs(singleMs)} |\n| pool of ${workers} workers | ${(poolMs / 1000).toFixed(1)} | ${mbs(poolMs)} |`);
console.log('replacements per 1,000 lines by type:', Object.fromEntries([...byType].map(([k, n]) => [k, +((n * 1000) / lines.length).toFixed(1)])));

fs.mkdirSync(BENCH, { recursive: true });
fs.writeFileSync(path.join(BENCH, 'redact.json'), JSON.stringify({
  rules: { version: GITLEAKS_VERSION, sha256: GITLEAKS_SHA256 },
  efficacy: { ...e, leaks: e.leaks.length, rescanHits: e.rescanHits.length, unsynthesised: corpus.unsynthesised },
  heldOut: { ...h, leaks: h.leaks.length, rescanHits: h.rescanHits.length },
  throughput: { bytes, lines: lines.length, singleMs, poolMs, workers, loadavg: os.loadavg() },
}, null, 2));
