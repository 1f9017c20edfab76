// Regenerates resources/demo/demo-bundle.tar.gz (+ demo-truth.json): the small bundle a first start opens.
// Run: npm run demo:regen. Same seed and options => same tree; the tarball is packed with sorted entries,
// fixed mtimes and portable headers so it only changes when the generator does.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { writeFileAtomic } from '../../engine/util/atomic';
import { generateTree, type GenerateOptions } from './generate';

export const DEMO_OPTIONS: GenerateOptions = {
  targetBytes: 450_000,
  seed: 2023,
  start: '2023-07-06T09:00:00+05:30',
  siteTz: 'Asia/Kolkata',
  spanHours: 3,
  incidentAt: 0.6,
  faults: true,
};
const FIXED_MTIME = new Date('2023-07-06T12:00:00+05:30');

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [path.relative(base, p)];
  });
}

export async function makeDemo(outDir: string): Promise<{ bundle: string; truth: string; bytes: number; files: number }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'casefile-demo-'));
  try {
    const summary = await generateTree(work, DEMO_OPTIONS);
    if (summary.bytes < 300_000 || summary.bytes > 600_000) throw new Error(`demo tree is ${summary.bytes} bytes, outside 300-600 KB`);
    const files = listFiles(path.join(work, 'enrich'), work).sort();
    const packed = path.join(work, 'demo-bundle.tar.gz');
    await tar.c({ gzip: { level: 9 }, file: packed, cwd: work, portable: true, mtime: FIXED_MTIME, noDirRecurse: true }, files);
    fs.mkdirSync(outDir, { recursive: true });
    const bundle = path.join(outDir, 'demo-bundle.tar.gz');
    const truth = path.join(outDir, 'demo-truth.json');
    await writeFileAtomic(bundle, fs.readFileSync(packed), 0o644);
    await writeFileAtomic(truth, fs.readFileSync(summary.truthPath), 0o644);
    return { bundle, truth, bytes: summary.bytes, files: summary.files };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources/demo');
  makeDemo(out).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`)).catch((e: unknown) => {
    process.stderr.write(`make-demo: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
