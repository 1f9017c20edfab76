// The open case's site timezone, and changing it: first what the change re-times (cases.timezonePlan), asked, then
// the change (cases.setTimezone re-times the events read in the old zone); the open views redraw after it. While a job
// writing the case runs (an import), the change is refused: the panel says so and offers no button until it ends.
import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/contract';
import { ApiError, call } from '../../api/client';
import { useApp } from '../../stores/app';
import { startLiveJobs, useZoneBusy } from '../../stores/liveJobs';
import { fmtCount } from '../../lib/time';

type Plan = CallOutput<'cases.timezonePlan'>;

/** The question before a change, or why it cannot be made. */
export function planSentence(p: Plan, current: string): { ask: string | null; refused: string | null } {
  if (p.busy) return { ask: null, refused: p.busy };
  if (p.unknownFormats?.length) return { ask: null, refused: `Events of formats this build does not know (${p.unknownFormats.join(', ')}) cannot be re-timed: the zone cannot be changed.` };
  if (p.blocked.files) {
    return { ask: null, refused: `${fmtCount(p.blocked.files)} ${p.blocked.files === 1 ? 'file holds' : 'files hold'} stamps without a date or year whose day was taken from context in the old zone (${p.blocked.examples.join(', ')}${p.blocked.files > p.blocked.examples.length ? ', …' : ''}): they cannot be re-timed, so the zone cannot be changed. Import the logs into a case created with ${p.to}.` };
  }
  // A job that only reads the case (an export) is waited for; one that writes it refuses the change (p.busy).
  const waits = p.waitsFor?.length ? ` The case's ${p.waitsFor.join(', ')} job is running: the change waits for it.` : '';
  if (!p.events) return { ask: `No events were read in another zone than ${p.to}. Set the site timezone to ${p.to} (from ${current})?${waits}`, refused: null };
  return { ask: `${fmtCount(p.events)} events in ${fmtCount(p.files)} files were read in ${p.from.join(', ')}; they will be re-timed to ${p.to}.${waits}`, refused: null };
}

export function ZonePanel() {
  const current = useApp((s) => s.current);
  useEffect(() => startLiveJobs(), []);
  const busy = useZoneBusy(current?.id);
  const [zone, setZone] = useState('');
  const [plan, setPlan] = useState<Plan | null>(null);
  const [working, setWorking] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  /** The running change's job: what Stop cancels (its transaction rolls back, nothing changed). */
  const [jobId, setJobId] = useState<string | null>(null);
  if (!current) return null;
  const app = useApp.getState;
  const ask = async () => {
    setDone(null);
    setWorking(true);
    try { setPlan(await call('cases.timezonePlan', { caseId: current.id, timezone: zone.trim() })); } catch (e) { app().fail(e); } finally { setWorking(false); }
  };
  const change = async () => {
    if (!plan) return;
    const id = `retime-${crypto.randomUUID()}`;
    setJobId(id);
    setWorking(true);
    try {
      // `expect`: refused if another window changed the zone since this plan was shown.
      const r = await call('cases.setTimezone', { caseId: current.id, timezone: plan.to, expect: plan.current, jobId: id });
      setDone(r.retimed.events ? `Re-timed ${fmtCount(r.retimed.events)} events in ${fmtCount(r.retimed.files)} files to ${r.retimed.to}.` : `Site timezone set to ${r.retimed.to}.`);
      setPlan(null);
      setZone('');
      await app().refreshCurrent();
      // Every open view reads its times again (timeline, histogram, chains).
      app().bumpData();
    } catch (e) {
      // Stopped: the engine's sentence says nothing was changed; said here, not as a failure.
      if (e instanceof ApiError && e.code === 'cancelled') { setDone(e.message); setPlan(null); } else app().fail(e);
    } finally { setWorking(false); setJobId(null); }
  };
  const stop = () => { if (jobId) void call('jobs.cancel', { jobId }).catch((e: unknown) => app().fail(e)); };
  const s = plan ? planSentence(plan, current.timezone.zone) : null;
  return (
    <section className="card" data-testid="zone-panel">
      <h3>Site timezone</h3>
      <p className="small" title={current.timezone.evidence}>{current.timezone.zone} ({current.timezone.how}): {current.timezone.evidence}</p>
      {!current.readOnly && (
        <form onSubmit={(e) => { e.preventDefault(); if (zone.trim()) void ask(); }}>
          <label>New zone <input data-testid="zone-input" value={zone} onChange={(e) => { setZone(e.target.value); setPlan(null); }} placeholder="e.g. Europe/Berlin or +05:30" /></label>
          <button type="submit" data-testid="zone-check" disabled={working || !!busy || !zone.trim()}>Change…</button>
        </form>
      )}
      {busy && !working && !current.readOnly && <p className="warn" data-testid="zone-busy">{busy}</p>}
      {s?.refused && <p className="warn" data-testid="zone-refused">{s.refused}</p>}
      {s?.ask && (
        <div data-testid="zone-confirm">
          <p>{s.ask}</p>
          <button data-testid="zone-apply" disabled={working || !!busy} onClick={() => void change()}>{plan!.events ? 'Re-time' : 'Set'}</button>
          <button disabled={working} onClick={() => setPlan(null)}>Cancel</button>
        </div>
      )}
      {working && jobId && <p className="muted">re-timing… <button data-testid="zone-stop" onClick={stop}>Stop</button></p>}
      {done && <p data-testid="zone-done">{done}</p>}
    </section>
  );
}
