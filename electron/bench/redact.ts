// npm run bench:redact -- [--size 20MB] [--workers N] [--seed 1]
// Efficacy on the full labelled corpus (every gitleaks sample in every context) and the held-out one, each measured
// twice side by side: the redactor fed the records directly (evaluate.ts), and through the product (the corpus
// imported into a real case and exported by the real export, the extract read: product.ts). Then throughput on a
// synthetic Enrich tree (one record per line): single core inline, and a worker_threads pool.
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
import { type Corpus, generateRedactionCorpus } from '../testkit/redaction/corpus';
import { type Efficacy, evaluate } from '../testkit/redaction/evaluate';
import { evaluateThroughProduct } from '../testkit/redaction/product';

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

// ---- efficacy: direct (the redactor fed the records) and through the product (import → export → the extract) ----
/** Both measurements of one corpus, side by side: a difference between them is the real path's. */
async function efficacy(title: string, corpus: Corpus) {
  const d = await evaluate(corpus);
  const p = await evaluateThroughProduct(corpus, { workers });
  const negs = (e: Efficacy) => Object.values(e.negatives).reduce((n, x) => n + x.redacted, 0);
  const leaks = (e: Efficacy) => `${e.leaks.length}${e.leaks.length ? ` (${[...new Set(e.leaks.map((l) => `${l.type}/${l.context}`))].join(', ')})` : ''}`;
  console.log(`\n${title}: ${p.records} records, ${formatSize(p.bytes)}; through the product: ${p.events} events exported, import ${(p.importMs / 1000).toFixed(1)} s, export ${(p.exportMs / 1000).toFixed(1)} s`);
  console.log('| type | planted | caught, direct | caught, import + export | recall, import + export |\n|---|---:|---:|---:|---:|');
  for (const [t, r] of Object.entries(p.recall).sort()) console.log(`| ${t} | ${r.planted} | ${d.recall[t]?.caught ?? '—'} | ${r.caught} | ${pct(r.caught, r.planted)} |`);
  console.log('| | direct | import + export |\n|---|---|---|');
  console.log(`| leaks | ${leaks(d)} | ${leaks(p)} |`);
  console.log(`| re-scan hits (export blocked) | ${d.rescanHits.length} | ${p.rescanHits.length}${p.blocked ? ` — BLOCKED: ${JSON.stringify(p.blocked.byCheck)}` : ' — not blocked'} |`);
  console.log(`| replacements per 1,000 clean records | ${d.cleanOverRedaction.toFixed(2)} | ${p.cleanOverRedaction.toFixed(2)} |`);
  console.log(`| hard negatives redacted (of ${p.planted.negative}) | ${negs(d)} | ${negs(p)} |`);
  console.log(`| entities with one token | ${d.consistency.consistent}/${d.consistency.entities} | ${p.consistency.consistent}/${p.consistency.entities} |`);
  console.log(`| tokens shared by two entities | ${d.consistency.sharedTokens} | ${p.consistency.sharedTokens} |`);
  console.log(`| PII tokens in message/fields not in raw | — | ${p.columnMismatches} |`);
  const misread = Object.entries(p.formats).filter(([, f]) => f.detected !== f.expected);
  console.log(`files read as another format: ${misread.map(([k, f]) => `${k} as ${f.detected}`).join(', ') || 'none'}; events mapped to no record: ${p.unmapped}; records with no event: ${p.recordsWithoutEvent}; records not aligned (recall by survival alone): ${p.unaligned.length}`);
  return { direct: d, product: p };
}
const corpus = generateRedactionCorpus({ seed: 12, allContexts: true, piiRecords: 700, cleanRecords: 2000 });
console.log(`\nEfficacy — ${GITLEAKS_VERSION} (sha256 ${GITLEAKS_SHA256.slice(0, 12)}…); unsynthesised gitleaks rules: ${corpus.unsynthesised.join(', ') || 'none'}; load ${os.loadavg()[0]!.toFixed(1)}`);
const full = await efficacy('Full corpus (seed 12, every gitleaks sample in every context)', corpus);
// held out: another seed, other surface forms (names, key names, phone spellings, schemes, words)
const held = await efficacy('Held-out corpus (seed 99, surface forms the detectors were not tuned on)',
  generateRedactionCorpus({ seed: 99, heldOut: true, allContexts: true, piiRecords: 700, cleanRecords: 2000 }));

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

/** The JSON's view of one corpus: counts, not the hits' places. */
function summary(r: { direct: Efficacy; product: Awaited<ReturnType<typeof evaluateThroughProduct>> }, unsynthesised: string[]) {
  const short = (e: Efficacy) => ({ ...e, leaks: e.leaks.length, rescanHits: e.rescanHits.length });
  return { direct: short(r.direct), throughImportAndExport: short(r.product), unsynthesised };
}
fs.mkdirSync(BENCH, { recursive: true });
fs.writeFileSync(path.join(BENCH, 'redact.json'), JSON.stringify({
  rules: { version: GITLEAKS_VERSION, sha256: GITLEAKS_SHA256 },
  efficacy: summary(full, corpus.unsynthesised),
  heldOut: summary(held, []),
  throughput: { bytes, lines: lines.length, singleMs, poolMs, workers, loadavg: os.loadavg() },
}, null, 2));
