// Cases: list, create, open by path, and import into the open case.
import { useEffect, useState } from 'react';
import { printable } from '../../../shared/printable';
import { useApp } from '../../stores/app';
import { fmtCount, toIso, toMs } from '../../lib/time';
import { timeFormat } from '../../lib/siteTime';
import { useTimeMode } from '../../stores/timeMode';
import { ImportPanel } from './ImportPanel';
import { ZonePanel } from './ZonePanel';

export function CasesView() {
  const { cases, current, openListed, openDir, closeCase, createCase, busy, info, refreshCases } = useApp();
  // Opening a case does not read the list (it peeks into every recent case): it is read here, fresh each time.
  // (Once the app knows what it opens: before that, this view stands in while a reload reopens its case.)
  useEffect(() => { if (info) void refreshCases(); }, [info, refreshCases]);
  const [name, setName] = useState('');
  const [dir, setDir] = useState('');
  const [tz, setTz] = useState('');
  const [openPath, setOpenPath] = useState('');
  // Each case's range on the clock the rest of the app shows (UTC, its own site zone, or both), labelled per row:
  // the cases listed may each have their own site zone.
  const mode = useTimeMode((s) => s.mode);
  const rangeText = (c: (typeof cases)[number]) => {
    const from = toMs(c.timeRange?.from), to = toMs(c.timeRange?.to);
    if (from === null || to === null) return '—';
    // to the millisecond, as the timeline's range says it (the engine's range carries microseconds)
    const time = timeFormat(mode, c.timezone.zone, from, to);
    return `${time.fmt(toIso(from))} → ${time.fmt(toIso(to))} (${time.label})`;
  };
  return (
    <div className="cases" data-testid="cases-view">
      <section className="card">
        <h3>Cases</h3>
        {cases.length === 0 && <div className="empty">No cases yet — create one below, then import a bundle.</div>}
        <table className="grid-table">
          <thead><tr><th>Name</th><th>Events</th><th>Bundles</th><th>Time range</th><th>Timezone</th><th>Folder</th><th /></tr></thead>
          <tbody>
            {cases.map((c) => (
              <tr key={c.id} data-testid="case-row" data-case={c.id} className={c.id === current?.id ? 'selected' : ''}>
                <td>{c.name}{c.isDemo && <span className="badge">demo</span>}{c.readOnly && <span className="badge warn" title={c.readOnlyReason}>read-only</span>}</td>
                <td>{fmtCount(c.eventCount)}</td>
                <td>{c.bundleCount}</td>
                <td className="small" data-testid="case-range">{rangeText(c)}</td>
                <td className="small" title={c.timezone.evidence}>{c.timezone.zone} ({c.timezone.how})</td>
                <td className="mono small">{printable(c.dir)}</td>
                <td className="nowrap">
                  <button data-testid="case-open" disabled={busy} onClick={() => void openListed(c)}>Open</button>
                  {c.open && <button data-testid="case-close" disabled={busy} onClick={() => void closeCase(c)}
                    title="Close it here: its lock is released (the CLI can then write it); its data stays in the folder">Close</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <div className="cols">
        <section className="card">
          <h3>New case</h3>
          <form onSubmit={async (e) => {
            e.preventDefault();
            if (!name.trim()) return;
            const c = await createCase(name.trim(), dir.trim() || undefined, tz.trim() || undefined);
            if (c) { setName(''); setDir(''); }
          }}>
            <label>Name <input data-testid="case-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="ACME incident 2023-07-30" /></label>
            <label>Folder <input data-testid="case-dir" value={dir} onChange={(e) => setDir(e.target.value)} placeholder="(default case folder)" /></label>
            <label>Site timezone <input value={tz} onChange={(e) => setTz(e.target.value)} placeholder="e.g. Asia/Kolkata (optional)" /></label>
            <button type="submit" data-testid="case-create" disabled={busy || !name.trim()}>Create case</button>
          </form>
        </section>
        <section className="card">
          <h3>Open a case folder</h3>
          <form onSubmit={(e) => { e.preventDefault(); if (openPath.trim()) void openDir(openPath.trim()); }}>
            <label>Folder on {info?.mode === 'browser' ? 'the engine machine' : 'this machine'}
              <input data-testid="open-dir" value={openPath} onChange={(e) => setOpenPath(e.target.value)} placeholder="/path/to/case" /></label>
            <button type="submit" disabled={busy || !openPath.trim()}>Open</button>
          </form>
        </section>
      </div>
      {current ? <><ImportPanel /><ZonePanel /></> : <section className="card muted">Create or open a case to import bundles into it.</section>}
    </div>
  );
}
