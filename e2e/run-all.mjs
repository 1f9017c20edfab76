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
/** Each failed test's name and first line of its error: repeated at the very end, since CI keeps only the output's tail. */
const failures = [];
// eslint's no-control-regex: the escape is built, not written in a literal.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const firstLine = (m) => String(m ?? '').replace(ANSI, '').split('\n').find((l) => l.trim()) ?? '';
function vitestFailures(rep) {
  for (const file of rep.testResults ?? []) {
    const rel = path.relative(process.cwd(), file.name ?? '');
    if (file.status === 'failed' && !(file.assertionResults ?? []).some((a) => a.status === 'failed')) failures.push(`unit ${rel}: ${firstLine(file.message)}`);
    for (const a of file.assertionResults ?? []) if (a.status === 'failed') failures.push(`unit ${rel} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
  }
}
function playwrightFailures(suite, trail = []) {
  for (const spec of suite.specs ?? []) {
    for (const t of spec.tests ?? []) {
      if (t.status !== 'unexpected') continue;
      const err = (t.results ?? []).map((r) => r.error?.message).find(Boolean);
      failures.push(`e2e [${t.projectName}] ${spec.file}:${spec.line} > ${[...trail, spec.title].join(' > ')}: ${firstLine(err)}`);
    }
  }
  for (const s of suite.suites ?? []) playwrightFailures(s, suite.file === s.file && s.title !== s.file ? [...trail, s.title] : trail);
}
for (const step of steps) {
  process.stdout.write(`\n=== ${step.name}: ${step.cmd} ${step.args.join(' ')}\n`);
  const t = Date.now();
  const r = spawnSync(step.cmd, step.args, { stdio: 'inherit', env: { ...process.env, ...(step.env ?? {}) } });
  process.stdout.write(`=== ${step.name}: ${r.status === 0 ? 'ok' : `FAILED (exit ${r.status})`} in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  if (r.status !== 0) failedSteps.push(step.name);
  if (step.report && existsSync(step.report)) {
    const rep = JSON.parse(readFileSync(step.report, 'utf8'));
    if (step.name === 'unit') { passed += rep.numPassedTests ?? 0; failed += rep.numFailedTests ?? 0; skipped += (rep.numPendingTests ?? 0) + (rep.numTodoTests ?? 0); vitestFailures(rep); }
    else { passed += (rep.stats?.expected ?? 0) + (rep.stats?.flaky ?? 0); failed += rep.stats?.unexpected ?? 0; skipped += rep.stats?.skipped ?? 0; for (const s of rep.suites ?? []) playwrightFailures(s); }
  } else if (step.report) {
    failed += 1;
  }
}
if (failures.length) process.stdout.write(`\nfailed tests:\n${failures.map((f) => `  ${f.slice(0, 300)}`).join('\n')}\n`);
if (failedSteps.length) process.stdout.write(`\nfailed steps: ${failedSteps.join(', ')}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failedSteps.length ? 1 : 0);
