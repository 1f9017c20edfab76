#!/usr/bin/env node
// `npm test`: every check the project has, in the order a failure is cheapest to read — types, lint, unit and
// integration tests (real DuckDB files, real processes), the renderer build, then Playwright in Debian Chromium.
// Ends with one plain "N passed, N failed, N skipped" line over all test runners.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

mkdirSync('out', { recursive: true });
// Stale reports must not count: each runner writes its own afresh.
for (const f of ['out/vitest.json', 'out/playwright.json']) rmSync(f, { force: true });
const only = process.argv[2];
const steps = [
  { name: 'typecheck', cmd: 'npx', args: ['tsc', '-b'] },
  { name: 'lint', cmd: 'npx', args: ['eslint', '.'] },
  { name: 'unit', cmd: 'npx', args: ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile=out/vitest.json'], report: 'out/vitest.json' },
  { name: 'build', cmd: 'npm', args: ['run', 'build'] },
  { name: 'e2e', cmd: 'npx', args: ['playwright', 'test', '--config', 'e2e/playwright.config.ts', '--reporter=list,json'], env: { PLAYWRIGHT_JSON_OUTPUT_FILE: path.resolve('out/playwright.json') }, report: 'out/playwright.json' },
].filter((s) => !only || s.name === only);

let passed = 0, failed = 0, skipped = 0;
const failedSteps = [];
for (const step of steps) {
  process.stdout.write(`\n=== ${step.name}: ${step.cmd} ${step.args.join(' ')}\n`);
  const t = Date.now();
  const r = spawnSync(step.cmd, step.args, { stdio: 'inherit', env: { ...process.env, ...(step.env ?? {}) } });
  process.stdout.write(`=== ${step.name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  if (r.status !== 0) failedSteps.push(step.name);
  if (step.report && existsSync(step.report)) {
    const rep = JSON.parse(readFileSync(step.report, 'utf8'));
    if (step.name === 'unit') { passed += rep.numPassedTests ?? 0; failed += rep.numFailedTests ?? 0; skipped += (rep.numPendingTests ?? 0) + (rep.numTodoTests ?? 0); }
    else { passed += (rep.stats?.expected ?? 0) + (rep.stats?.flaky ?? 0); failed += rep.stats?.unexpected ?? 0; skipped += rep.stats?.skipped ?? 0; }
  } else if (step.report) {
    failed += 1;
  }
}
if (failedSteps.length) process.stdout.write(`\nfailed steps: ${failedSteps.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failedSteps.length ? 1 : 0);
