// tsx electron/testkit/synth/cli.ts --out DIR --size 50MB [--seed N] [--start ISO] [--tz ZONE] [--no-faults|--faults all]
import { Command } from 'commander';
import { generateTree } from './generate';
import { parseSize } from '../../../shared/size';

const program = new Command()
  .name('synth')
  .description('Generate a deterministic synthetic Enrich log tree (plus truth.json) for tests and benchmarks')
  .requiredOption('--out <dir>', 'output directory (enrich/ and truth.json are created inside; must not hold enrich/ yet)')
  .option('--size <size>', 'uncompressed volume, e.g. 500KB, 50MB, 1GB', '50MB')
  .option('--seed <n>', 'PRNG seed', '1')
  .option('--start <iso>', 'first instant (ISO 8601 with offset)')
  .option('--tz <zone>', 'site timezone (IANA or +05:30)', 'Asia/Kolkata')
  .option('--span-hours <h>', 'time covered (default scales with size)')
  .option('--faults <mode>', 'malformed input to plant: on, off, all', 'on')
  .action(async (o: { out: string; size: string; seed: string; start?: string; tz: string; spanHours?: string; faults: string }) => {
    const summary = await generateTree(o.out, {
      targetBytes: parseSize(o.size),
      seed: Number(o.seed),
      start: o.start,
      siteTz: o.tz,
      spanHours: o.spanHours === undefined ? undefined : Number(o.spanHours),
      faults: o.faults === 'all' ? 'all' : o.faults !== 'off',
      onProgress: (done, total) => process.stderr.write(`\r${(done / 1e6).toFixed(0)} / ${(total / 1e6).toFixed(0)} MB`),
    });
    process.stderr.write('\n');
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  });

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`synth: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
