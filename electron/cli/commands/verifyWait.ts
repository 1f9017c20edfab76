// Opening a case for writing may start its `correlate` job (an import cut short, or tables derived by an older
// build's rules: correlate/derivation.ts). A verify run meanwhile would report "still being built" and exit 1, and a
// read would meet that writer and be refused ("an import is writing"), while the next run would pass: a script cannot
// act on that. So verify and the reading commands (withCaseEngine) wait for that job first, saying so on stderr
// (stdout stays the answer alone, for --json).
import { jobIsLive, type JobInfo } from '../../../shared/contract';
import type { Engine } from '../../engine/engine';
import { printable } from '../../../shared/printable';

function stepText(j: JobInfo): string {
  const s = j.step;
  if (!s) return j.state;
  return `${s.message ?? s.phase}${s.total > 0 ? ` ${s.done}/${s.total} ${s.unit}` : ''}`;
}

const VERIFYING = 'waiting for identifiers and chains to be built (opening the case started it) before verifying…';

/**
 * Resolves when the case has no live correlate job; `why` on stderr when it starts waiting, then one line per new
 * phase.
 */
export async function waitForCorrelation(engine: Engine, caseId: string, why = VERIFYING, say: (line: string) => void = (l) => process.stderr.write(`casefile: ${printable(l)}\n`)): Promise<void> {
  let said = false;
  let lastPhase = '';
  for (;;) {
    const job = (await engine.call('jobs.list', { caseId })).find((j) => j.kind === 'correlate' && jobIsLive(j));
    if (!job) return;
    if (!said) { say(why); said = true; }
    const ended = await new Promise<JobInfo>((resolve) => {
      const seen = (j: JobInfo) => {
        if (j.jobId !== job.jobId) return;
        if (!jobIsLive(j)) { off(); resolve(j); return; }
        const phase = j.step?.phase ?? j.state;
        if (phase !== lastPhase) { lastPhase = phase; say(`  ${stepText(j)}`); }
      };
      const off = engine.on('job.progress', seen);
      // It may have ended between the list and the subscription.
      void engine.call('jobs.list', { caseId }).then((all) => { const now = all.find((j) => j.jobId === job.jobId); if (now) seen(now); });
    });
    // Verify then reports what is still pending; the job's own reason is what the operator can act on.
    if (ended.state !== 'done') say(`building identifiers and chains ${ended.state === 'cancelled' ? 'was cancelled' : `failed: ${ended.error ?? 'no reason given'}`}`);
  }
}
