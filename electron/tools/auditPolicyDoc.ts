// Writes the per-call audit policy table into docs/AUDIT.md, generated from the contract so the doc cannot drift
// (a test fails when it is stale). Run: npm run docs:audit
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AREAS, DEFAULT_TIMEOUT_MS, specOf, type AreaName, type CallName } from '../../shared/contract';

export const BEGIN = '<!-- audit-policy:begin (generated from shared/contract by `npm run docs:audit`; do not edit) -->';
export const END = '<!-- audit-policy:end -->';

const list = (xs: readonly unknown[] | undefined) => (xs?.length ? xs.map((x) => `\`${String(x)}\``).join(', ') : '—');

function duration(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
}

export function policyTable(): string {
  const rows = ['| area | call | access | audited | secret (dropped) | sensitive (HMAC) | job | timeout |', '|---|---|---|---|---|---|---|---|'];
  for (const area of Object.keys(AREAS).sort() as AreaName[]) {
    for (const name of Object.keys(AREAS[area].calls).sort() as CallName[]) {
      const s = specOf(name);
      const audited = s.audit === 'always' || s.audit === 'never' ? s.audit : s.audit === 'handler' ? 'by its handler' : `when: ${s.audit.describe}`;
      const timeout = `${duration(s.timeoutMs ?? DEFAULT_TIMEOUT_MS)}${s.job ? ' of silence' : ''}`;
      rows.push(`| ${area} | \`${name}\` | ${s.access} | ${audited} | ${list(s.secret)} | ${list(s.sensitive)} | ${s.job ?? '—'} | ${timeout} |`);
    }
  }
  return rows.join('\n');
}

/** The doc with its generated section replaced. */
export function withPolicyTable(doc: string): string {
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) throw new Error(`docs/AUDIT.md lacks the ${BEGIN} … ${END} markers.`);
  return `${doc.slice(0, a + BEGIN.length)}\n${policyTable()}\n${doc.slice(b)}`;
}

export const AUDIT_DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/AUDIT.md');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(AUDIT_DOC, withPolicyTable(readFileSync(AUDIT_DOC, 'utf8')));
  process.stdout.write(`updated ${path.relative(process.cwd(), AUDIT_DOC)}\n`);
}
