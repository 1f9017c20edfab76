// Pull from a site: window and sources, the plan as a tree of the server's folders with sizes against the cap, an
// unknown host key as a prompt (accept or reject; a changed key arrives as an error and has no override here), the
// transfer with per-file progress, cancel, and the pulls that can be resumed.
import { useEffect, useMemo } from 'react';
import { PULL_SOURCES, SET_ASIDE_REASONS as SET_ASIDE, type PullPlan } from '../../../shared/contract/pull';
import { printable } from '../../../shared/printable';
import { useApp } from '../../stores/app';
import { damagedPulls, resumablePulls, usePull, type Source } from '../../stores/pullJob';
import { ProfilesPanel } from '../profiles/ProfilesPanel';

const MB = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)} MB`;

/** A folder of the plan lists this many files, then says how many more (a server folder may hold 100,000). */
const FILES_SHOWN = 200;

/** Planned files grouped by folder, folders in order, each with its bytes. */
function folders(plan: PullPlan): { dir: string; bytes: number; files: PullPlan['files'] }[] {
  const by = new Map<string, PullPlan['files']>();
  for (const f of plan.files) {
    const dir = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '.';
    const list = by.get(dir);
    if (list) list.push(f); else by.set(dir, [f]); // not a copy per file: that was quadratic in a folder's files
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([dir, files]) => ({ dir, files, bytes: files.reduce((n, f) => n + f.size, 0) }));
}

export function PullView() {
  const readOnly = useApp((s) => s.current?.readOnly);
  const s = usePull();
  const caseId = useApp((a) => a.current?.id);
  // Keyed by the case: after a reload the view can mount before the case is open, and its pulls are listed once it is.
  useEffect(() => { if (caseId) { void usePull.getState().attach(caseId); void usePull.getState().loadPulls(); } }, [caseId]);
  useEffect(() => () => usePull.getState().forgetPassphrase(), []); // leaving the pull view forgets the key's passphrase
  const tree = useMemo(() => (s.answer ? folders(s.answer.plan) : []), [s.answer]);
  const plan = s.answer?.plan;
  const p = s.progress;
  // A complete pull whose import was cancelled or failed is resumed to import its bundle; the running one is not offered.
  const resumable = resumablePulls(s);
  const damaged = damagedPulls(s);
  // A pull that stopped (cancelled, or failed mid-transfer) keeps what it fetched: the operator is told how to go on.
  const canResume = !s.busy && !!s.pullId && resumable.some((x) => x.id === s.pullId);

  return (
    <div className="pull-view" data-testid="pull-view">
      <div className="cols">
        <ProfilesPanel />
        <section className="card" data-testid="pull-form">
          <h4>Window and sources</h4>
          <label>since <input data-testid="pull-since" type="datetime-local" value={s.form.since} onChange={(e) => s.setForm({ since: e.target.value })} /></label>
          <label>until <input data-testid="pull-until" type="datetime-local" value={s.form.until} onChange={(e) => s.setForm({ until: e.target.value })} /></label>
          <div className="sources">
            {PULL_SOURCES.map((src) => (
              <label key={src}><input type="checkbox" checked={s.form.sources.includes(src)}
                onChange={(e) => s.setForm({ sources: e.target.checked ? [...s.form.sources, src] : s.form.sources.filter((x: Source) => x !== src) })} />{src}</label>
            ))}
          </div>
          <label>cap (MB, or 500MB, 2GB; default: the profile's) <input data-testid="pull-cap" value={s.form.capMB} onChange={(e) => s.setForm({ capMB: e.target.value })} /></label>
          <label><input type="checkbox" checked={s.form.trim} onChange={(e) => s.setForm({ trim: e.target.checked })} /> over the cap: keep the newest files that fit (else refuse)</label>
          <label>key passphrase (if the profile uses a protected key; never stored)
            <input data-testid="pull-passphrase" type="password" autoComplete="off" value={s.passphrase} onChange={(e) => s.setPassphrase(e.target.value)} /></label>
          <div>
            <button data-testid="pull-plan" disabled={!!s.busy || !s.form.profile} onClick={() => void s.plan()}>{s.busy === 'plan' ? 'Planning…' : 'Plan'}</button>
            <button data-testid="pull-run" disabled={!!s.busy || !s.form.profile || !!readOnly || !plan || plan.refused || !plan.files.length}
              title={readOnly ? 'This case is read-only' : undefined} onClick={() => void s.run()}>{s.busy === 'pull' ? 'Pulling…' : 'Pull'}</button>
            {s.busy === 'pull' && <button data-testid="pull-cancel" onClick={() => void s.cancel()}>Cancel</button>}
          </div>
          {s.busy === 'pull' && s.waiting && <div className="muted small" data-testid="pull-waiting">{s.waiting}</div>}
        </section>
      </div>

      {s.hostKey && (
        <section className="card warn" role="alertdialog" data-testid="hostkey-prompt">
          <h4>Unknown host key</h4>
          <div>{s.hostKey.host}:{s.hostKey.port} presents a {s.hostKey.keyType} key Casefile has not seen:</div>
          <div className="mono" data-testid="hostkey-fingerprint">{s.hostKey.fingerprint}</div>
          <div className="muted small">Compare it with the fingerprint the site gave you. Accepting records it in Casefile's own known_hosts.</div>
          <button data-testid="hostkey-accept" onClick={() => void s.acceptHostKey()}>Accept and continue</button>
          <button data-testid="hostkey-reject" onClick={s.rejectHostKey}>Reject</button>
        </section>
      )}
      {s.error && <div className="error-box" data-testid="pull-error">{printable(s.error)}
        {canResume && <div>The files fetched so far are kept: Resume pull {s.pullId} under Unfinished pulls below to fetch the rest and import them.</div>}</div>}
      {s.outcome && <div className="ok" data-testid="pull-outcome">{s.outcome}</div>}

      {plan && (
        <section className="card" data-testid="pull-plan-view">
          <h4>Plan {s.answer?.status === 'done' ? '(pulled)' : ''}</h4>
          <div className="cap-gauge" data-testid="cap-gauge" title={`${MB(plan.bytes)} of ${MB(plan.capBytes)}`}>
            <div className={plan.overCap ? 'bar warn' : 'bar'} style={{ width: `${Math.min(100, (plan.wantedBytes / plan.capBytes) * 100)}%` }} />
          </div>
          <div data-testid="plan-summary">{plan.files.length} files · {MB(plan.bytes)} of a {MB(plan.capBytes)} cap
            {plan.refused ? ' · REFUSED: over the cap' : ''}{plan.skipped.length ? ` · ${plan.skipped.length} skipped` : ''}</div>
          {plan.newestOverCap && (
            <div className="warn" data-testid="plan-newest-over-cap">
              The newest file, {printable(plan.newestOverCap.path)}, is {MB(plan.newestOverCap.size)} on its own, over the {MB(plan.capBytes)} cap: older files are not
              pulled in its place.{' '}
              <button data-testid="plan-raise-cap" disabled={!!s.busy} onClick={() => { s.setForm({ capMB: String(Math.ceil(plan.newestOverCap!.size / 1e6)) }); void s.plan(); }}>
                Raise the cap to {Math.ceil(plan.newestOverCap.size / 1e6)} MB and plan again</button>
            </div>
          )}
          {s.answer?.denied.map((d) => <div key={d} className="small warn">permission denied on the server: {printable(d)}</div>)}
          {plan.skipped.filter((f) => SET_ASIDE[f.reason]).map((f) => <div key={f.path} className="small warn">not fetched, {SET_ASIDE[f.reason]}: {printable(f.path)}</div>)}
          <ul className="plan-tree">
            {tree.map((d) => (
              <li key={d.dir}><span className="mono">{printable(d.dir)}/</span> <span className="muted">{MB(d.bytes)}</span>
                <ul>{d.files.slice(0, FILES_SHOWN).map((f) => <li key={f.path} className="small">{printable(f.path.slice(d.dir.length + 1))} <span className="muted">{MB(f.size)}{f.grown ? ' · grown' : ''}</span></li>)}
                  {d.files.length > FILES_SHOWN && <li className="small muted" data-testid="plan-more">… and {(d.files.length - FILES_SHOWN).toLocaleString('en-US')} more files ({d.files.length.toLocaleString('en-US')} in this folder)</li>}</ul>
              </li>
            ))}
          </ul>
          {s.answer?.status === 'done' && <div className="ok" data-testid="pull-done">Bundle {s.answer.bundle}: {s.answer.import?.files.reduce((n, f) => n + f.records, 0) ?? 0} events imported</div>}
        </section>
      )}

      {p && (
        <section className="card" data-testid="pull-progress">
          <h4>Transfer <span className="muted small mono">pull {p.pullId}</span></h4>
          <div data-testid="pull-progress-summary">{MB(p.bytesDone)} / {MB(p.bytesTotal)} · {p.filesDone}/{p.filesTotal} files · {(p.rate / 1e6).toFixed(1)} MB/s{p.etaSeconds != null ? ` · ${p.etaSeconds}s left` : ''}</div>
          {p.active.map((f) => (
            <div key={f.path} className="small"><span className="mono">{printable(f.path)}</span> <progress max={f.size || 1} value={f.bytes} /></div>
          ))}
        </section>
      )}

      {resumable.length > 0 && (
        <section className="card" data-testid="pull-resumable">
          <h4>Unfinished pulls</h4>
          {resumable.map((x) => (
            <div key={x.id} className="small">{x.id} · {x.profile} · {x.status === 'complete' ? 'pulled, not imported' : `${x.filesDone}/${x.files} files`}{x.error ? ` · ${printable(x.error)}` : ''}
              <button disabled={!!s.busy} onClick={() => { s.setForm({ profile: x.profile }); void s.run(x.id); }}>Resume</button></div>
          ))}
        </section>
      )}

      {damaged.length > 0 && (
        <section className="card" data-testid="pull-damaged">
          <h4>Pulls that cannot be resumed</h4>
          {damaged.map((x) => <div key={x.id} className="small">{x.id} · {printable(x.error)}</div>)}
        </section>
      )}
    </div>
  );
}
