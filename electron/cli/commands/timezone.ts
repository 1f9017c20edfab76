// `casefile timezone --case <dir> <zone>`: sets the case's site timezone. The events read from naive stamps in
// another zone are re-timed to it (ingest/retime.ts), and the command says how many.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { zoneBusy, type CallOutput } from '../../../shared/contract';
import { holderCommand } from '../../engine/case/lock';
import { caseFiles } from '../../engine/case/paths';
import { assertZone } from '../../engine/ingest/timezone';
import { fail, printJson } from '../output';
import { cancelJob, onCtrlC, wasCancelled } from '../ctrlC';
import { withCaseEngine } from './ingest';

/** What a zone change did, in one line (also printed by `import --tz` on a case that already holds events). */
export function retimedLine(r: CallOutput<'cases.setTimezone'>['retimed']): string {
  if (!r.events) return `site timezone: ${r.to}; no events were read in another zone, none re-timed`;
  return `site timezone: ${r.to}; re-timed ${r.events} events in ${r.files} files read in ${r.from.join(', ')}`;
}

export function registerTimezoneCommand(program: Command): void {
  program.command('timezone')
    .description('Set the site timezone of a case: events read from stamps without an offset in another zone are re-timed to it')
    .argument('<zone>', 'IANA name (Asia/Kolkata) or offset (+05:30)')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print the case and what was re-timed as JSON')
    // An offset west of UTC (-05:00) starts with a dash: it is the operand, not an unknown option (any other word that
    // starts with one is then no zone, and refused as such).
    .allowUnknownOption()
    .action(async (zone: string, o: { case: string; json?: boolean }) => {
      try {
        assertZone(zone);
        // Another casefile command writing the case (an import) holds its lock: said in the words the app says it in
        // (the engine refuses the change while a job of its own writes the case: cases.setTimezone).
        const holder = await holderCommand(caseFiles(o.case).lock);
        const busy = holder && zoneBusy([holder]);
        if (busy) throw new Error(busy);
        await withCaseEngine(o.case, async (engine, info) => {
          // Ctrl-C cancels the job: its transaction rolls back and the engine's sentence says nothing was changed (the
          // default SIGINT killed the process, which left the same but said nothing and audited nothing). Twice quits.
          const jobId = `cli-retime-${randomBytes(6).toString('hex')}`;
          // Said once its transaction re-times stamps, so a long change is seen to run and can be stopped.
          let said = false;
          const off = engine.on('job.progress', (j) => {
            if (said || j.jobId !== jobId || j.step?.phase !== 'retime-stamps') return;
            said = true;
            process.stderr.write(`re-timing to ${zone} (Ctrl-C stops it, changing nothing)\n`);
          });
          const offCtrlC = onCtrlC(() => cancelJob(engine, jobId, 'the change of the site zone'));
          let res: CallOutput<'cases.setTimezone'>;
          try {
            res = await engine.call('cases.setTimezone', { caseId: info.id, timezone: zone, jobId });
          } catch (e) {
            if (!wasCancelled(e)) throw e;
            process.stderr.write(`casefile: ${e.error.message}\n`);
            process.exitCode = 130;
            return;
          } finally {
            offCtrlC();
            off();
          }
          if (o.json) printJson({ timezone: res.timezone, retimed: res.retimed });
          else process.stdout.write(`${retimedLine(res.retimed)}\n`);
        }, undefined, { writing: true });
      } catch (e) {
        fail(e);
      }
    });
}
