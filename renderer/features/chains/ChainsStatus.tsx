// The status bar's word on the case's identifiers and chains while they are pending: being built, not built here
// (read-only), or not built because their job failed or was cancelled. "Building…" must not stay on screen once
// nothing builds: then the job's reason is shown, and "Build again" opens the case again, which runs it again.
import { useEffect, useState } from 'react';
import type { JobInfo } from '../../../shared/contract';
import { call, getClient } from '../../api/client';
import { errorText, useApp } from '../../stores/app';
import { chainsPendingText } from './ChainsView';

type Stopped = { state: 'failed' | 'cancelled'; error: string | null };

const stoppedOf = (j: JobInfo): Stopped | null | undefined => (j.state === 'failed' || j.state === 'cancelled'
  ? { state: j.state, error: j.error ?? null } : j.state === 'done' ? null : undefined);

export function ChainsStatus() {
  const current = useApp((s) => s.current);
  const caseId = current?.id;
  const [stopped, setStopped] = useState<Stopped | null>(null);
  const [retryError, setRetryError] = useState<string | null>(null);
  useEffect(() => {
    setStopped(null);
    if (!caseId) return;
    let live = true;
    // The case's last correlate job (jobs.list gives live ones first, then the ended ones, newest first).
    void call('jobs.list', { caseId }).then((jobs) => {
      const last = jobs.find((j) => j.kind === 'correlate');
      if (live && last) { const s = stoppedOf(last); if (s !== undefined) setStopped(s); }
    }).catch(() => undefined);
    const off = getClient().on('job.progress', (j) => {
      if (j.caseId !== caseId || j.kind !== 'correlate') return;
      const s = stoppedOf(j);
      setStopped(s ?? null);
    });
    return () => { live = false; off(); };
  }, [caseId]);
  if (!current?.chainsPending) return null;
  // A read-only instance runs no job: "building" would never end here.
  if (current.readOnly) return <span className="warn" data-testid="status-chains" title={chainsPendingText(true)}>chains not built (read-only)</span>;
  if (!stopped) return <span className="muted" data-testid="status-chains">building identifiers and chains…</span>;
  const why = stopped.state === 'cancelled' ? 'their build was cancelled' : `their build failed${stopped.error ? `: ${stopped.error}` : ''}`;
  const again = async () => {
    setRetryError(null);
    try {
      await call('cases.open', { dir: current.dir });
      setStopped(null);
    } catch (e) { setRetryError(errorText(e)); }
  };
  return (
    <span className="warn" data-testid="status-chains" title={retryError ?? `Identifiers and chains of the last import are not built: ${why}.`}>
      chains not built ({stopped.state}){' '}
      <button type="button" className="link" data-testid="status-chains-again" onClick={() => void again()}>Build again</button>
    </span>
  );
}
