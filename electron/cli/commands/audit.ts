// `casefile audit verify|show` and `casefile verify`: the audit trail and the chain of custody from the shell.
// Exit code 1 when a check fails, so scripts and CI can rely on it. These commands call the engine directly (they
// take a case folder, not an open-case id), so they record their own audit entries.
import type { Command } from 'commander';
import type { CaseHandle } from '../../engine/case/caseStore';
import { verifyCase } from '../../engine/audit/custody';
import { appendAudit, readAudit, verifyAudit, type AuditEntry } from '../../engine/audit/trail';
import { appFiles } from '../../engine/case/paths';
import { withCaseEngine } from './ingest';

type Open = (caseDir: string) => Promise<{ handle: CaseHandle; close(): Promise<void> }>;

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');

async function withCase<T>(open: Open, dir: string, fn: (h: CaseHandle) => Promise<T>): Promise<T> {
  const c = await open(dir);
  try { return await fn(c.handle); } finally { await c.close(); }
}

async function record(h: CaseHandle, action: string, params: Record<string, unknown>, ok: boolean, counts: Record<string, number>, message?: string) {
  const entry = {
    action, params: { case: h.dir, ...params }, via: 'cli', caseId: h.meta.id,
    result: { status: ok ? 'ok' as const : 'error' as const, counts, ...(message ? { message } : {}) },
  };
  // A case on read-only media or a full disk cannot take the entry: the app's own trail records the check instead.
  await appendAudit(h.files.audit, entry).catch(async (e: unknown) => {
    await appendAudit(appFiles().audit, { ...entry, result: { ...entry.result, message: `${message ?? ''} (case audit unavailable: ${(e as Error).message.split('\n')[0]})`.trim() } });
  });
}

export function registerAuditCommands(program: Command, open: Open): void {
  const audit = program.command('audit').description('The case audit trail (hash-chained, append-only)');

  audit.command('verify')
    .description('Check the hash chain of the case audit log; exit 1 and name the first broken entry on failure')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { case: string; json?: boolean }) => {
      await withCase(open, opts.case, async (h) => {
        const r = await verifyAudit(h.files.audit);
        if (opts.json) out(JSON.stringify(r, null, 2));
        else if (r.ok) {
          out(`Audit log OK: ${r.entries} entries, head #${r.headSeq ?? 0} ${r.headHash ?? '(empty)'}`);
          if (r.recordedTears) out(`Note: ${r.recordedTears} torn write(s) were found and recorded by a later append (audit.torn_tail_detected).`);
          if (r.acknowledgedTears) out(`Note: ${r.acknowledgedTears} tear(s) acknowledged by the operator (audit.tear, audit.ack): entries were cut off or rewritten there.`);
        } else {
          const b = r.firstBroken!;
          out(`Audit log BROKEN at line ${b.line}${b.seq !== null ? ` (entry ${b.seq})` : ''}: ${b.problem}`);
          out(`Verified up to entry ${r.headSeq ?? 0}${r.headHash ? ` ${r.headHash}` : ''}.${r.tornTail ? ' The log ends in a torn write.' : ''}`);
        }
        if (!opts.json && r.mac) {
          out({ valid: `MACs: ${r.mac.entries} entries carry a valid MAC under this installation's audit secret.`,
            key_absent: `MACs: some entries were made under an audit secret this machine does not hold; their MACs cannot be checked here.`,
            invalid: `MACs: entry ${r.mac.firstInvalidSeq ?? '?'} fails its MAC: written or rewritten without the audit secret.`,
            none: 'MACs: no entry carries one (written before entry MACs).' }[r.mac.status]);
        }
        await record(h, 'audit.verify', {}, r.ok, { entries: r.entries }, r.firstBroken?.problem);
        if (!r.ok) process.exitCode = 1;
      });
    });

  audit.command('ack')
    .description('Acknowledge a recorded tear (audit.tear: entries were cut off or rewritten) once it is explained; audit verify then passes')
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--seq <n>', 'the audit.tear entry to acknowledge', (v: string) => Number(v))
    .option('--note <text>', 'what happened (kept in the acknowledgment entry)')
    .action(async (opts: { case: string; seq: number; note?: string }) => {
      await withCaseEngine(opts.case, async (engine, info) => {
        await engine.invoke('audit.ack', { caseId: info.id, tearSeq: opts.seq, ...(opts.note ? { note: opts.note } : {}) });
        out(`Tear at entry ${opts.seq} acknowledged.`);
      });
    });

  audit.command('show')
    .description('List audit entries, oldest first')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print entries as JSON lines (the stored entries)')
    .option('--action <name>', 'only this action (a trailing * matches a prefix, e.g. "import.*")')
    .option('--since <date>', 'only entries at or after this ISO date or instant')
    .option('--limit <n>', 'only the newest n entries', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--limit must be a positive integer, got ${v}`);
      return n;
    })
    .action(async (opts: { case: string; json?: boolean; action?: string; since?: string; limit?: number }) => {
      if (opts.since && Number.isNaN(Date.parse(opts.since))) program.error(`--since is not a date: ${opts.since}`);
      await withCase(open, opts.case, async (h) => {
        const entries = await readAudit(h.files.audit, {
          ...(opts.action ? { action: opts.action } : {}), ...(opts.since ? { since: opts.since } : {}), ...(opts.limit ? { limit: opts.limit } : {}),
        });
        if (opts.json) for (const e of entries) out(JSON.stringify(e));
        else if (entries.length === 0) out('No audit entries match.');
        else for (const e of entries) out(formatEntry(e));
        await record(h, 'audit.list', { action: opts.action, since: opts.since, limit: opts.limit }, true, { entries: entries.length });
      });
    });

  program.command('verify')
    .description('Chain of custody: re-hash every bundle file against its manifest and check the events against the import records; exit 1 on failure')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { case: string; json?: boolean }) => {
      await withCase(open, opts.case, async (h) => {
        const r = await verifyCase(h);
        if (opts.json) out(JSON.stringify(r, null, 2));
        else if (r.ok) out(`Chain of custody OK: ${r.filesChecked} bundle files match their manifests; the events match what the import recorded.`);
        else {
          out(`Chain of custody FAILED: ${r.problems.length} problem(s) (${r.filesChecked} bundle files checked)`);
          for (const p of r.problems) out(`  ${[p.bundle, p.file].filter(Boolean).join('/') || '(case)'}: ${p.problem}`);
        }
        await record(h, 'case.verify', {}, r.ok, { filesChecked: r.filesChecked, problems: r.problems.length });
        if (!r.ok) process.exitCode = 1;
      });
    });
}

function formatEntry(e: AuditEntry): string {
  const op = e.operator ? (e.operator.name === e.operator.osUser ? e.operator.name : `${e.operator.name} (${e.operator.osUser})`) : '?';
  const counts = e.result?.counts ? ' ' + Object.entries(e.result.counts).map(([k, v]) => `${k}=${v}`).join(' ') : '';
  const msg = e.result?.message ? ` — ${e.result.message}` : '';
  const params = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
  return `#${e.seq} ${e.time} ${op}@${e.host} via ${e.via} ${e.action} ${e.result?.status ?? '?'}${counts}${msg}${params}`;
}
