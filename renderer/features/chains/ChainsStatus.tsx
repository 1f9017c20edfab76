// The status bar's word on the case's identifiers and chains while they are pending: being built (with Cancel), not
// built here (read-only), or not built because their job was cancelled or failed. "Building…" must not stay on screen
// once nothing builds: then the sentence says what the case holds, and "Build them now" runs the job again.
import { useEffect } from 'react';
import { useApp } from '../../stores/app';
import { chainsStoppedText, followChainsJob, stoppedJob, useChainsJob } from '../../stores/chainsJob';
import { endedJobOf, liveJobOf, useLiveJobs } from '../../stores/liveJobs';

/** What the case's pending identifiers and chains wait for: this app's job, or the instance that holds the case. */
export function chainsPendingText(readOnly: boolean): string {
  return readOnly
    ? 'Identifiers and chains of the last import are not built: the instance that holds this case for writing builds them (open it there, or here once it is closed there).'
    : 'Building identifiers and chains of the last import…';
}

/** Stops the case's running chain build (no confirmation: nothing is lost, and "Build them now" starts it again). */
export function CancelChains({ testId }: { testId: string }) {
  const cancel = useChainsJob((s) => s.cancel);
  return (
    <button type="button" className="link" data-testid={testId} aria-label="Cancel building identifiers and chains"
      title="Stop building identifiers and chains: the timeline and table stay complete, and they can be built later"
      onClick={() => void cancel()}>Cancel</button>
  );
}

/** Runs the case's chain build again (the open case opened again: the engine resumes the job from its marks). */
export function BuildChains({ testId }: { testId: string }) {
  const build = useChainsJob((s) => s.build);
  return <button type="button" className="link" data-testid={testId} onClick={() => void build()}>Build them now</button>;
}

/** The case's chain build as the views say it: the job that runs (live) or the one that stopped before the end. */
export function useChainsBuild() {
  useEffect(() => followChainsJob(), []);
  const caseId = useApp((s) => s.current?.id);
  const live = useLiveJobs((s) => liveJobOf(s, caseId, 'correlate'));
  const ended = useLiveJobs((s) => endedJobOf(s, caseId, 'correlate'));
  const stopped = live ? null : stoppedJob(ended);
  const error = useChainsJob((s) => (s.caseId === caseId ? s.error : null));
  return { live, stopped, ended, error };
}

export function ChainsStatus() {
  const current = useApp((s) => s.current);
  const { live, stopped, error } = useChainsBuild();
  if (!current?.chainsPending) return null;
  // A read-only instance runs no job: "building" would never end here.
  // One line in the status bar: the words give way (whole in the tooltip), the buttons stay to be clicked.
  if (current.readOnly) return <span className="warn status-job" data-testid="status-chains" title={chainsPendingText(true)}><span className="status-words">chains not built (read-only)</span></span>;
  const words = stopped ? chainsStoppedText(stopped) : 'building identifiers and chains…';
  const said = error ? `${words} · ${error}` : words;
  if (!stopped) {
    return (
      <span className="muted status-job" data-testid="status-chains" title={said}>
        <span className="status-words">{said}</span>{live && <CancelChains testId="status-chains-cancel" />}
      </span>
    );
  }
  return (
    <span className="warn status-job" data-testid="status-chains" role="status" title={said}>
      <span className="status-words">{words}</span><BuildChains testId="status-chains-again" />{error && <span className="status-words"> · {error}</span>}
    </span>
  );
}
