// The open case's site timezone, and changing it: first what the change re-times (cases.timezonePlan), asked, then
// the change (cases.setTimezone re-times the events read in the old zone); the open views redraw after it.
import { useState } from 'react';
import type { CallOutput } from '../../../shared/contract';
import { call } from '../../api/client';
import { useApp } from '../../stores/app';
import { fmtCount } from '../../lib/time';

type Plan = CallOutput<'cases.timezonePlan'>;

/** The question before a change, or why it cannot be made. */
export function planSentence(p: Plan, current: string): { ask: string | null; refused: string | null } {
  if (p.unknownFormats?.length) return { ask: null, refused: `Events of formats this build does not know (${p.unknownFormats.join(', ')}) cannot be re-timed: the zone cannot be changed.` };
  if (p.blocked.files) {
    return { ask: null, refused: `${fmtCount(p.blocked.files)} file(s) hold stamps without a date or year whose day was taken from context in the old zone (${p.blocked.examples.join(', ')}${p.blocked.files > p.blocked.examples.length ? ', …' : ''}): they cannot be re-timed, so the zone cannot be changed. Import the logs into a case created with ${p.to}.` };
  }
  // The counts are of now: an import running on the case is waited for, and what it reads in the old zone is re-timed too.
  const waits = p.waitsFor?.length
    ? ` The case's ${p.waitsFor.join(', ')} job is running: the change waits for it${p.waitsFor.includes('import') ? `, and also re-times the events the import reads in ${current}` : ''}.`
    : '';
  if (!p.events) return { ask: `No events were read in another zone than ${p.to}. Set the site timezone to ${p.to} (from ${current})?${waits}`, refused: null };
  return { ask: `${fmtCount(p.events)} events in ${fmtCount(p.files)} files were read in ${p.from.join(', ')}; they will be re-timed to ${p.to}.${waits}`, refused: null };
}

export function ZonePanel() {
  const current = useApp((s) => s.current);
  const [zone, setZone] = useState('');
  const [plan, setPlan] = useState<Plan | null>(null);
  const [working, setWorking] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  if (!current) return null;
  const app = useApp.getState;
  const ask = async () => {
    setDone(null);
    setWorking(true);
    try { setPlan(await call('cases.timezonePlan', { caseId: current.id, timezone: zone.trim() })); } catch (e) { app().fail(e); } finally { setWorking(false); }
  };
  const change = async () => {
    if (!plan) return;
    setWorking(true);
    try {
      // `expect`: refused if another window changed the zone since this plan was shown.
      const r = await call('cases.setTimezone', { caseId: current.id, timezone: plan.to, expect: plan.current });
      setDone(r.retimed.events ? `Re-timed ${fmtCount(r.retimed.events)} events in ${fmtCount(r.retimed.files)} files to ${r.retimed.to}.` : `Site timezone set to ${r.retimed.to}.`);
      setPlan(null);
      setZone('');
      await app().refreshCurrent();
      // Every open view reads its times again (timeline, histogram, chains).
      app().bumpData();
    } catch (e) { app().fail(e); } finally { setWorking(false); }
  };
  const s = plan ? planSentence(plan, current.timezone.zone) : null;
  return (
    <section className="card" data-testid="zone-panel">
      <h3>Site timezone</h3>
      <p className="small" title={current.timezone.evidence}>{current.timezone.zone} ({current.timezone.how}): {current.timezone.evidence}</p>
      {!current.readOnly && (
        <form onSubmit={(e) => { e.preventDefault(); if (zone.trim()) void ask(); }}>
          <label>New zone <input data-testid="zone-input" value={zone} onChange={(e) => { setZone(e.target.value); setPlan(null); }} placeholder="e.g. Europe/Berlin or +05:30" /></label>
          <button type="submit" data-testid="zone-check" disabled={working || !zone.trim()}>Change…</button>
        </form>
      )}
      {s?.refused && <p className="warn" data-testid="zone-refused">{s.refused}</p>}
      {s?.ask && (
        <div data-testid="zone-confirm">
          <p>{s.ask}</p>
          <button data-testid="zone-apply" disabled={working} onClick={() => void change()}>{plan!.events ? 'Re-time' : 'Set'}</button>
          <button disabled={working} onClick={() => setPlan(null)}>Cancel</button>
        </div>
      )}
      {working && plan && <p className="muted">re-timing…</p>}
      {done && <p data-testid="zone-done">{done}</p>}
    </section>
  );
}
