// The real-world corpus figures: imports every excerpt, prints per-excerpt outcomes and the totals (tuned and
// held-out apart), and with --write puts them into docs/BENCHMARKS.md between the corpus markers.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { figures, loadManifest, runCorpus, type Figures, type Outcome } from '../testkit/realworld/corpus';
import { removeDir, tempDir } from '../testkit/tmp';

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : 'n/a');

function row(name: string, f: Figures): string {
  return `| ${name} | ${f.excerpts} | ${f.recognised} (${pct(f.recognised, f.excerpts)}) | ${f.linesAccounted} of ${f.lines} (${pct(f.linesAccounted, f.lines)}) `
    + `| ${f.recordsRight} of ${f.records} (${pct(f.recordsRight, f.records)}) | ${f.timedCorrect} of ${f.timed} (${pct(f.timedCorrect, f.timed)}) | ${f.pass} |`;
}

async function main(): Promise<void> {
  const excerpts = loadManifest();
  const root = tempDir('casefile-corpus-');
  let outcomes: Outcome[];
  try { outcomes = await runCorpus(root, excerpts); } finally { removeDir(root); }
  for (const o of outcomes) {
    const e = excerpts.find((x) => x.id === o.id)!;
    console.log(`${o.pass ? 'ok  ' : 'MISS'} ${o.heldOut ? 'held-out ' : ''}${o.id}: ${o.format}${o.envelope ? ` in ${o.envelope}` : ''}${e.expect.envelope && e.expect.envelope !== o.envelope ? ` (want ${e.expect.envelope})` : ''} records ${o.records}/${e.expect.records} timed ${o.timed}/${e.expect.timed} ${o.first ?? '-'} .. ${o.last ?? '-'}${o.accounted ? '' : ' LINES NOT ACCOUNTED'}${o.known ? ` (known: ${o.known})` : ''}`);
  }
  const tuned = figures(outcomes.filter((o) => !o.heldOut), excerpts);
  const held = figures(outcomes.filter((o) => o.heldOut), excerpts);
  const table = [
    '| set | excerpts | format and envelope recognised | lines accounted | records counted right | stamped records timed right | excerpts exactly right |',
    '|---|---|---|---|---|---|---|',
    row('tuned on', tuned),
    row('held out', held),
  ].join('\n');
  console.log(`\n${table}`);
  if (process.argv.includes('--write')) {
    const doc = path.resolve('docs/BENCHMARKS.md');
    const text = readFileSync(doc, 'utf8');
    const start = '<!-- corpus:start -->';
    const end = '<!-- corpus:end -->';
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error('docs/BENCHMARKS.md has no corpus markers');
    writeFileSync(doc, `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`);
    console.log('written to docs/BENCHMARKS.md');
  }
}

void main();
