// Key manager: the operator's secret keys (how each is protected, which doors can open it, locked or the seconds
// left), unlock with a passphrase, lock, remove, and import (a secret key exported from GnuPG, or a client's public key).
import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/contract';
import { call } from '../../api/client';
import { errorText } from '../../stores/app';
import { useKeysState } from './useKeysState';

type KeyList = CallOutput<'keys.list'>;

export function KeysView() {
  const [list, setList] = useState<KeyList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [unlocking, setUnlocking] = useState<string | null>(null);
  const { state, secondsLeft } = useKeysState();
  const refresh = () => call('keys.list', {}).then(setList, (e) => setError(errorText(e)));
  useEffect(() => { void refresh(); }, [state?.keys.length]);
  const act = (p: Promise<unknown>) => p.then(() => { setError(null); return refresh(); }, (e) => setError(errorText(e)));

  return (
    <div className="keys" data-testid="keys-view">
      <section className="card">
        <h3>Your keys</h3>
        <div className="row">
          {/* with no secret key there is nothing locked: "locked" beside a dead Lock button read as a key to unlock */}
          <span data-testid="keys-lock-state">{!state || !list ? '…' : list.secret.length === 0 ? 'no key to unlock' : state.locked ? 'locked' : `${state.keys.length} unlocked`}</span>
          {list && list.secret.length > 0 && <button data-testid="keys-lock-all" disabled={!state || state.locked} onClick={() => void act(call('keys.lock', {}))}>Lock</button>}
        </div>
        {error && <div className="error-box" data-testid="keys-error" role="alert">{error}</div>}
        {list && list.secret.length === 0 && <div className="muted">No key yet. Import one exported with <code>gpg --export-secret-keys --armor</code>.</div>}
        <table className="grid">
          <tbody>
            {list?.secret.map((k) => {
              const left = secondsLeft(k.fingerprint);
              return (
                <tr key={k.fingerprint} data-testid="key-row">
                  <td><div>{k.userIds[0] ?? '(no user id)'}</div><div className="mono small">{k.fingerprint}</div></td>
                  <td title="which doors can unlock it">{k.protection} · {k.doors.join(', ')}</td>
                  <td data-testid="key-status">{left === null ? 'locked' : `unlocked · ${left}s left`}</td>
                  <td>
                    {left === null
                      ? <button data-testid="key-unlock" onClick={() => setUnlocking(k.fingerprint)}>Unlock…</button>
                      : <button onClick={() => void act(call('keys.lock', { ref: k.fingerprint }))}>Lock</button>}
                    <button onClick={() => { if (confirm(`Remove key ${k.fingerprint}?`)) void act(call('keys.remove', { ref: k.fingerprint })); }}>Remove</button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {unlocking && <UnlockPrompt fingerprint={unlocking} onDone={(e) => { setUnlocking(null); if (e) setError(e); else void refresh(); }} onCancel={() => setUnlocking(null)} />}
        {list && !list.safeStorage && <div className="muted small">This session has no OS keychain: keys are protected by their passphrase only.</div>}
      </section>
      <section className="card">
        <h3>Client keys</h3>
        {list && list.clients.length === 0 && <div className="muted" data-testid="clients-empty">No client key yet. Import a client's public key below: exports are encrypted to it.</div>}
        <ul>{list?.clients.map((k) => <li key={k.fingerprint}>{k.userIds[0] ?? ''} <span className="mono small">{k.fingerprint}</span></li>)}</ul>
      </section>
      <ImportKey onImported={() => void refresh()} onError={setError} />
    </div>
  );
}

/** Asks the passphrase; it goes to the engine once and is not kept here. `onCancel`: closed with nothing unlocked. */
export function UnlockPrompt({ fingerprint, onDone, onCancel }: { fingerprint: string; onDone(error: string | null): void; onCancel(): void }) {
  const [busy, setBusy] = useState(false);
  return (
    <form className="row" data-testid="unlock-prompt" onSubmit={(e) => {
      e.preventDefault();
      const input = (e.currentTarget.elements.namedItem('passphrase') as HTMLInputElement);
      const passphrase = input.value;
      input.value = '';
      setBusy(true);
      call('keys.unlock', { ref: fingerprint, passphrase }).then(() => onDone(null), (err) => onDone(errorText(err))).finally(() => setBusy(false));
    }}>
      <label>Passphrase <input name="passphrase" type="password" autoComplete="off" autoFocus data-testid="unlock-passphrase" /></label>
      <button type="submit" disabled={busy} data-testid="unlock-submit">Unlock</button>
      <button type="button" onClick={onCancel} data-testid="unlock-cancel">Cancel</button>
    </form>
  );
}

function ImportKey({ onImported, onError }: { onImported(): void; onError(e: string): void }) {
  const [kind, setKind] = useState<'secret' | 'client'>('secret');
  const [text, setText] = useState('');
  return (
    <section className="card" data-testid="key-import">
      <h3>Import a key</h3>
      <div className="row">
        <label><input type="radio" checked={kind === 'secret'} onChange={() => setKind('secret')} /> my secret key (<code>gpg --export-secret-keys --armor</code>)</label>
        <label><input type="radio" checked={kind === 'client'} onChange={() => setKind('client')} /> a client's public key</label>
        <input type="file" accept=".asc,.gpg,.key,.pub" onChange={async (e) => { const f = e.target.files?.[0]; if (f) setText(await f.text()); }} />
      </div>
      <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} placeholder="-----BEGIN PGP …" data-testid="key-import-text" />
      <button disabled={!text.trim()} data-testid="key-import-submit" onClick={() => {
        call('keys.import', { kind, armored: text }).then(() => { setText(''); onImported(); }, (e) => onError(errorText(e)));
      }}>Import</button>
    </section>
  );
}
