// "Who is this?": a client's reply pasted in, every <type:TOKEN> in it looked up in the case's re-identification
// maps (export.reidentify, with the operator's unlocked key; the engine records which tokens, never an original).
// Originals are shown masked until revealed one by one, as the sealed view does, so a screen shared while looking up
// does not show them all; "first event" opens the event the token first stood in.
import { useState } from 'react';
import type { ReidentifyResultT } from '../../../shared/contract/exportHistory';
import { MAX_REIDENTIFY_TEXT, tokensIn } from '../../../shared/contract/exportHistory';
import { call } from '../../api/client';
import { errorText, useApp } from '../../stores/app';
import { useSelection } from '../../stores/selection';
import { useExport } from './exportStore';

export function WhoIsThis({ exports }: { exports: string[] }) {
  const caseId = useApp((a) => a.current?.id);
  const [text, setText] = useState('');
  const [exportId, setExportId] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<ReidentifyResultT | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<Set<number>>(new Set());
  const tokens = tokensIn(text);
  const lookUp = async () => {
    if (!caseId) return;
    setBusy(true); setError(null); setAnswer(null); setRevealed(new Set());
    try {
      setAnswer(await call('export.reidentify', { caseId, text, ...(exportId ? { exportId } : {}) }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const jump = (id: number) => {
    useExport.getState().close();
    useSelection.getState().select({ id });
  };
  return (
    <section className="who-is-this" data-testid="who-is-this">
      <h4>Who is this?</h4>
      <div className="muted small">Paste the client's text: every &lt;type:TOKEN&gt; in it is looked up in the re-identification maps, opened with your key (unlock it in Keys). The lookup is recorded in the audit trail by token, never by original.</div>
      <textarea data-testid="who-text" rows={3} maxLength={MAX_REIDENTIFY_TEXT} value={text} placeholder="<user:7F3A9C2QWE> failed 300 times, who is that?"
        onChange={(e) => setText(e.target.value)} />
      <div className="row">
        <select data-testid="who-export" value={exportId} onChange={(e) => setExportId(e.target.value)}>
          <option value="">every export with a map ({exports.length})</option>
          {exports.map((id) => <option key={id} value={id}>{id}</option>)}
        </select>
        <button className="on" data-testid="who-run" disabled={busy || tokens.length === 0} onClick={() => void lookUp()}>
          {busy ? 'Looking up…' : `Look up ${tokens.length || ''} token${tokens.length === 1 ? '' : 's'}`}</button>
      </div>
      {error && <div className="error-box" data-testid="who-error">{error}</div>}
      {answer && (
        <>
          {answer.found.length > 0 && (
            <table className="grid-table" data-testid="who-found">
              <thead><tr><th>token</th><th>type</th><th>original</th><th>export</th><th>first event</th></tr></thead>
              <tbody>
                {answer.found.map((f, i) => (
                  <tr key={`${f.token}:${i}`} data-testid="who-row" data-token={f.token}>
                    <td className="mono">{f.token}</td>
                    <td>{f.type}</td>
                    <td>{revealed.has(i)
                      ? <span className="revealed mono" data-testid="who-original">{f.original}</span>
                      : <span className="masked"><button className="reveal" data-testid="who-reveal" title="Show the original" onClick={() => setRevealed(new Set(revealed).add(i))}>reveal</button> ••••••</span>}</td>
                    <td className="mono small" title={f.exports.length > 1 ? `also in ${f.exports.slice(1).map((e) => e.exportId).join(', ')} (one client's key: one token in each)` : undefined}>
                      {f.exportId}{f.exports.length > 1 ? ` +${f.exports.length - 1}` : ''}</td>
                    <td>{f.firstEventId !== null
                      ? <button className="link" data-testid="who-jump" onClick={() => jump(f.firstEventId!)}>#{f.firstEventId}</button> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {answer.notFound.length > 0 && (
            <div className="warn-box" data-testid="who-not-found">Not in {answer.searched.length === 1 ? `the map of ${answer.searched[0]}` : `the ${answer.searched.length} maps of this case`}: {answer.notFound.join(' ')}</div>
          )}
        </>
      )}
    </section>
  );
}
