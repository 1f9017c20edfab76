// `casefile audit verify|show` and `casefile verify`: the audit trail and the chain of custody from the shell.
// Exit code 1 when a check fails, so scripts and CI can rely on it. Like every other command they go through the
// engine's contract calls, so they are audited by the same policy as the app's (docs/AUDIT.md).
import type { Command } from 'commander';
import { incompleteText, type AuditEntryView } from '../../../shared/audit';
import { hashedText, paramLines } from '../../../shared/auditDisplay';
import { counted } from '../../../shared/plural';
import { printable } from '../../../shared/printable';
import { breakPlace, brokenExtent } from '../../../shared/auditVerifyText';
import { EXIT, fail, intFrom1To, jsonText } from '../output';
import { withCaseEngine } from './ingest';
import { waitForCorrelation } from './verifyWait';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
/** Opens the case through the engine; read-only cases (write-protected media) are the normal case here. */
const onCase: typeof withCaseEngine = (dir, fn) => withCaseEngine(dir, fn, undefined, { verifying: true });
/** As onCase, once the correlation job that opening the case may start has finished (verifyWait.ts). */
const onSettledCase: typeof withCaseEngine = (dir, fn) => onCase(dir, async (engine, info) => {
  await waitForCorrelation(engine, info.id);
  return fn(engine, info);
});
/** Everything the contract lets one call list. */
const ALL = 100_000;

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The case audit trail (hash-chained, append-only)');

  audit.command('verify')
    .description('Check the hash chain of the case audit log; exit 1 and name the first broken entry on failure')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { case: string; json?: boolean }) => {
      try {
        await onSettledCase(opts.case, async (engine, info) => {
          const r = await engine.call('audit.verify', { caseId: info.id });
          if (opts.json) out(jsonText(r, 2));
          else if (r.ok) {
            out(`Audit log OK: ${r.entries} entries, head #${r.headSeq ?? 0} ${printable(r.headHash ?? '(empty)')}`);
            if (r.recordedTears) out(`Note: ${counted(r.recordedTears, 'torn write')} ${r.recordedTears === 1 ? 'was' : 'were'} found and recorded by a later append (audit.torn_tail_detected).`);
            if (r.acknowledgedTears) out(`Note: ${counted(r.acknowledgedTears, 'tear')} acknowledged by the operator (audit.tear, audit.ack): entries were cut off or rewritten there.`);
          } else {
            // Where it breaks and what happened, then what still chains around the break (one story: auditVerifyText).
            out(`Audit log BROKEN at ${breakPlace(r)}: ${printable(r.firstBroken?.problem ?? 'no reason given')}`);
            out(printable(brokenExtent(r)));
            if (r.headHash) out(`Last entry that chains: #${r.headSeq ?? 0} ${printable(r.headHash)}`);
          }
          if (!opts.json && r.mac) {
            out({ valid: `MACs: ${r.mac.entries === 1 ? '1 entry carries' : `${r.mac.entries} entries carry`} a valid MAC under this installation's audit secret${r.entries > (r.headSeq ?? 0) ? ' (of the entries checked before the break)' : ''}.`,
              key_absent: 'MACs: some entries were made under an audit secret this machine does not hold; their MACs cannot be checked here.',
              invalid: `MACs: entry ${r.mac.firstInvalidSeq ?? '?'} fails its MAC: written or rewritten without the audit secret.`,
              none: 'MACs: no entry carries one (written before entry MACs).' }[r.mac.status]);
          }
          if (!r.ok) process.exitCode = 1;
        });
      } catch (e) { fail(e); }
    });

  audit.command('ack')
    .description('Acknowledge a recorded tear (audit.tear: entries were cut off or rewritten) once it is explained; audit verify then passes')
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--seq <n>', 'the audit.tear entry to acknowledge', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--seq must be an entry number (a positive integer), got ${v}`);
      return n;
    })
    .option('--note <text>', 'what happened (kept in the acknowledgment entry)')
    .action(async (opts: { case: string; seq: number; note?: string }) => {
      try {
        await withCaseEngine(opts.case, async (engine, info) => {
          await engine.call('audit.ack', { caseId: info.id, tearSeq: opts.seq, ...(opts.note ? { note: opts.note } : {}) });
          out(`Tear at entry ${opts.seq} acknowledged.`);
        });
      } catch (e) { fail(e); }
    });

  audit.command('show')
    .description('List audit entries, oldest first')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print entries as JSON lines')
    .option('--action <name>', 'only this action (a trailing * matches a prefix, e.g. "import.*")')
    .option('--since <date>', 'only entries at or after this ISO date or instant')
    .option('--limit <n>', 'only the newest n entries', intFrom1To('--limit', ALL))
    .action(async (opts: { case: string; json?: boolean; action?: string; since?: string; limit?: number }) => {
      try {
        if (opts.since && Number.isNaN(Date.parse(opts.since))) throw new Error(`--since is not a date: ${opts.since}`);
        await onCase(opts.case, async (engine, info) => {
          const entries = (await engine.call('audit.list', {
            caseId: info.id, limit: opts.limit ?? ALL,
            ...(opts.action ? { action: opts.action } : {}), ...(opts.since ? { since: opts.since } : {}),
          })).reverse();
          if (opts.json) for (const e of entries) out(jsonText(e));
          else if (entries.length === 0) out('No audit entries match.');
          else for (const e of entries) out(formatEntry(e));
        });
      } catch (e) { fail(e); }
    });

  program.command('verify')
    .description('Chain of custody: re-hash every bundle file against its manifest and check the events against the import records; exit 1 on failure, 5 when another instance holding the case has not yet built what it checks (run it again)')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { case: string; json?: boolean }) => {
      try {
        await onSettledCase(opts.case, async (engine, info) => {
          const r = await engine.call('case.verify', { caseId: info.id });
          // Only what another instance holding the case has still to write (read-only here): not a failure, a retry.
          const notYet = !r.ok && !!r.notYet;
          if (opts.json) out(jsonText(r, 2));
          else if (r.ok) out(`Chain of custody OK: ${r.filesChecked} bundle files match their manifests; the events match what the import recorded.`);
          else {
            out(notYet
              ? `Chain of custody not verified yet: ${counted(r.problems.length, 'part')} ${r.problems.length === 1 ? 'waits' : 'wait'} for the instance that holds the case (${r.filesChecked} bundle files checked and matching); run verify again once it is done or closed`
              : `Chain of custody FAILED: ${counted(r.problems.length, 'problem')} (${r.filesChecked} bundle files checked)`);
            for (const p of r.problems) out(`  ${printable([p.bundle, p.file].filter(Boolean).join('/') || '(case)')}: ${printable(p.problem)}`);
          }
          // Not a failure of custody (nothing in the case is damaged), but the case does not hold all its evidence.
          if (!opts.json) for (const b of r.incomplete ?? []) out(`Not all imported: ${printable(incompleteText(b))}`);
          if (!r.ok) process.exitCode = notYet ? EXIT.notYet : EXIT.error;
        });
      } catch (e) { fail(e); }
    });
}

/** One line whatever the entry holds (its inputs name evidence files: their names are the customer's). */
function formatEntry(e: AuditEntryView): string {
  const counts = e.result.counts ? ' ' + Object.entries(e.result.counts).map(([k, v]) => `${k}=${v}`).join(' ') : '';
  const msg = e.result.message ? ` — ${e.result.message}` : '';
  // Each input as path=value (paths have no spaces, values may), a hashed one labelled, a list of records in brackets.
  const params = paramLines(e.params).map((l) => ` ${l.path}=${l.hmac !== undefined ? hashedText(l.hmac) : l.items ? `[${l.items.join('; ')}]` : l.value ?? ''}`).join('');
  return printable(`#${e.seq} ${e.time} ${e.operator}@${e.host} via ${e.via} ${e.action} ${e.result.status}${counts}${msg}${params}`);
}
