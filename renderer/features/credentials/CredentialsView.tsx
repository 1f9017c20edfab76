// Sealed credential bundles and site profiles: open one (a path on the engine machine, or a picked file), see its
// fields masked (paths and kinds only), reveal one for a few seconds or — in the desktop app — copy it to the
// clipboard (main clears it), close it; or import a sealed site profile. A file for a locked key offers the unlock.
// The page shows every file open in the engine (`sealed.list`), so one opened before leaving the tab or a reload is
// still in view, masked, and can be closed; a lock or timeout that closes it there takes it off here.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CallInput, CallOutput } from '../../../shared/contract';
import { call, getClient } from '../../api/client';
import { errorText, useApp } from '../../stores/app';
import { UnlockPrompt } from '../keys/KeysView';
import { signatureText } from '../../../shared/signatureText';
import { duplicateNotes, formatPath, segmentName, type Segment } from '../../../shared/fieldPath';

type Opened = CallOutput<'sealed.open'>;
type Source = CallInput<'sealed.open'>['source'];
const REVEAL_SECONDS = 10;

async function toBase64(f: File): Promise<string> {
  const bytes = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** "5 minutes", "1 minute", "45 seconds". */
const span = (seconds: number) => (seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? '' : 's'}` : `${seconds} seconds`);

export function CredentialsView() {
  const caseId = useApp((s) => s.current?.id);
  const [path, setPath] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [open, setOpen] = useState<Opened[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [needsUnlock, setNeedsUnlock] = useState<string | null>(null);
  const [profile, setProfile] = useState<CallOutput<'profiles.importSealed'> | null>(null);
  const [closedNote, setClosedNote] = useState<string | null>(null);
  // While a file is read (a picked one is uploaded first), the form waits: a second submit would race the first,
  // and the last answer shown could belong to the earlier file.
  const [busy, setBusy] = useState(false);
  const openRef = useRef(open);
  openRef.current = open;
  // The button of the last submit (open, or import as profile): a key unlocked at its prompt runs it again.
  const submitter = useRef<HTMLButtonElement | null>(null);

  /** Shows what the engine holds open; `why` words the note for shown files that are no longer there. */
  const refresh = useCallback(async (why?: string) => {
    const now = await call('sealed.list', {});
    const gone = openRef.current.filter((o) => !now.some((n) => n.sessionId === o.sessionId));
    setOpen(now);
    if (why && gone.length) setClosedNote(`${gone.map((g) => g.name).join(', ')} closed ${why}: open it again.`);
  }, []);
  useEffect(() => { refresh().catch(() => undefined); }, [refresh]);
  // Any lock (here, elsewhere, expiry) closes every open file in the engine, whichever key it was for.
  useEffect(() => getClient().on('keys.state', () => { refresh('when a key was locked').catch(() => undefined); }), [refresh]);
  // A file that closed on its own (idle, or the unlock period ran out) is shown closed, not found so at the next reveal.
  useEffect(() => getClient().on('sealed.closed', (e) => {
    if (!openRef.current.some((o) => o.sessionId === e.sessionId)) return;
    setOpen((cur) => cur.filter((o) => o.sessionId !== e.sessionId));
    setClosedNote(`${e.name} closed after ${span(e.seconds)} ${e.reason === 'idle' ? 'idle' : '(the unlock period)'}: open it again.`);
  }), []);

  /**
   * Where the engine reads the file. A picked file goes by its path (desktop) or as an upload the server removes
   * after the call (browser mode): a call's input is capped at 1 MB, so a bigger bundle sent inline was refused as
   * "Request body exceeds 1000000 bytes" instead of the engine's own size check. Inline bytes are the last resort.
   */
  const source = async (): Promise<{ source: Source; done(): Promise<void> }> => {
    const base = caseId ? { caseId } : {};
    const none = async () => undefined;
    if (!file) return { source: { file: path.trim(), ...base }, done: none };
    const client = getClient();
    const local = client.pathForFile?.(file);
    if (local) return { source: { file: local, ...base }, done: none };
    if (client.upload) {
      const batch = crypto.randomUUID().replace(/-/g, '');
      const stored = await client.upload(file, file.name, batch);
      return { source: { file: stored, ...base }, done: async () => { await client.discardUpload?.(batch).catch(() => undefined); } };
    }
    return { source: { content: await toBase64(file), name: file.name, ...base }, done: none };
  };
  const secrets = (form: HTMLFormElement) => {
    const pw = (form.elements.namedItem('password') as HTMLInputElement).value;
    const sk = (form.elements.namedItem('sessionKey') as HTMLInputElement).value;
    (form.elements.namedItem('password') as HTMLInputElement).value = '';
    (form.elements.namedItem('sessionKey') as HTMLInputElement).value = '';
    return { ...(pw ? { password: pw } : {}), ...(sk ? { sessionKey: sk.trim() } : {}) };
  };
  const onError = (e: unknown) => {
    const msg = errorText(e);
    const locked = /your key ([0-9A-F]{16}) .*which is locked/.exec(msg);
    setNeedsUnlock(locked ? locked[1]! : null);
    setError(msg);
    refresh().catch(() => undefined); // a reveal in a file closed meanwhile: show it gone
  };

  return (
    <div className="credentials" data-testid="credentials-view">
      <section className="card">
        <h3>Open a sealed file</h3>
        <form onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          submitter.current = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
          const action = submitter.current?.value ?? 'open';
          const given = secrets(form);
          let done = async () => undefined as void;
          setBusy(true); setError(null);
          try {
            const from = await source();
            done = from.done;
            const input = { source: from.source, ...given };
            if (action === 'profile') { setProfile(await call('profiles.importSealed', input)); setError(null); return; }
            // One file at a time: opening closes the ones shown.
            for (const o of openRef.current) await call('sealed.close', { sessionId: o.sessionId }).catch(() => undefined);
            const opened = await call('sealed.open', input);
            setOpen([opened]);
            setClosedNote(null);
            setError(null); setNeedsUnlock(null);
          } catch (err) { onError(err); } finally { await done(); setBusy(false); }
        }}>
          <div className="row">
            <label>Path on this machine <input value={path} onChange={(e) => { setPath(e.target.value); setFile(null); }} placeholder="/path/creds.yaml.gpg" data-testid="sealed-path" /></label>
            <label>or pick <input type="file" data-testid="sealed-file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} /></label>
          </div>
          <div className="row">
            <label>Password (if sealed with one) <input name="password" type="password" autoComplete="off" /></label>
            <label>Session key (smartcard) <input name="sessionKey" type="password" autoComplete="off" placeholder="9:HEX…" /></label>
          </div>
          <button type="submit" value="open" data-testid="sealed-open" disabled={busy || (!path.trim() && !file)}>{busy ? 'Opening…' : 'Open'}</button>
          <button type="submit" value="profile" data-testid="profile-import" disabled={busy || (!path.trim() && !file)}>Import as site profile</button>
        </form>
        {error && <div className="error-box" role="alert" data-testid="sealed-error">{error}</div>}
        {closedNote && !open.length && <div className="muted" role="status" data-testid="sealed-closed">{closedNote}</div>}
        {needsUnlock && (
          <UnlockPrompt
            fingerprint={needsUnlock}
            // Unlocked: run what asked for it again (the form still names the file). A wrong passphrase keeps the prompt
            // for another try; a cancel unlocked nothing: say so.
            onDone={(err) => {
              setError(err);
              if (err) return;
              setNeedsUnlock(null);
              submitter.current?.form?.requestSubmit(submitter.current);
            }}
            onCancel={() => { setNeedsUnlock(null); setError('Not unlocked: the file stays closed. Open it again to give the passphrase.'); }}
          />
        )}
        {profile && <div className="ok" data-testid="profile-imported">Profile “{profile.name}” kept sealed ({profile.hosts.join(' → ')}).</div>}
      </section>
      {open.map((o) => (
        <MaskedTree key={o.sessionId} opened={o} caseId={caseId} onError={onError} onClose={() => {
          setOpen((cur) => cur.filter((x) => x.sessionId !== o.sessionId));
          call('sealed.close', { sessionId: o.sessionId }).then(() => refresh(), onError);
        }} />
      ))}
    </div>
  );
}

const MASK = '•••••';

function MaskedTree({ opened, caseId, onClose, onError }: { opened: Opened; caseId: string | undefined; onClose(): void; onError(e: unknown): void }) {
  // A revealed value is written into its field's text and masked again there; it never becomes React state, which
  // React keeps (in the component's earlier fibers) after the mask is back, so it would stay in the page's memory.
  const valueEls = useRef(new Map<string, HTMLElement>());
  const shown = useRef<HTMLElement | null>(null);
  const [reveals, setReveals] = useState(0);
  const hide = useCallback(() => {
    if (shown.current) shown.current.textContent = MASK;
    shown.current = null;
  }, []);
  const show = (key: string, value: string) => {
    hide();
    const el = valueEls.current.get(key);
    if (!el) return;
    el.textContent = value;
    shown.current = el;
    setReveals((n) => n + 1);
  };
  useEffect(() => {
    if (!reveals) return;
    const t = setTimeout(hide, REVEAL_SECONDS * 1000);
    return () => clearTimeout(t);
  }, [reveals, hide]);
  useEffect(() => hide, [hide]);
  const [copied, setCopied] = useState<string | null>(null);
  const canCopy = getClient().transport === 'electron';
  const ref = (path: Segment[]) => ({ sessionId: opened.sessionId, path, ...(caseId ? { caseId } : {}) });
  return (
    <section className="card" data-testid="masked-tree">
      <h3>{opened.name} <span className="muted small">({opened.format})</span></h3>
      <div className="mono small">sha256 {opened.sha256}</div>
      {opened.signatures.map((s) => (
        <div key={s.signer} className={s.status === 'valid' ? 'ok' : 'warn'} data-testid="signature">
          {s.status === 'valid' ? '✔' : s.status === 'invalid' ? '✖' : '?'} {signatureText(s)}
        </div>
      ))}
      {/* A key the file gives more than once: each entry is listed (numbered #1, #2, …), and the operator is told. */}
      {duplicateNotes(opened).map((note) => <div key={note} className="warn" role="note" data-testid="sealed-duplicate">⚠ {note}</div>)}
      <ul className="tree">
        {opened.fields.map((f) => {
          const key = JSON.stringify(f.path);
          const leaf = f.kind !== 'object' && f.kind !== 'array';
          const last = f.path[f.path.length - 1]!;
          return (
            <li key={key} style={{ paddingLeft: `${(f.path.length - 1) * 16}px` }} data-testid="field" data-path={formatPath(f.path)}>
              <span className="mono">{segmentName(last)}</span>
              {typeof last !== 'string' && <span className="warn small" title="This key appears more than once in the file: see the warning above." data-testid="field-repeat"> #{last.n}</span>}
              {leaf && (
                <>
                  <span className="mono" data-testid="field-value" ref={(el) => { if (el) valueEls.current.set(key, el); else valueEls.current.delete(key); }}>{MASK}</span>
                  <button data-testid="field-reveal" onClick={() => call('sealed.reveal', ref(f.path)).then((r) => show(key, r.value), onError)}>Reveal {REVEAL_SECONDS}s</button>
                  {canCopy && <button onClick={() => call('sealed.copy', ref(f.path)).then((r) => setCopied(`Copied; the clipboard clears in ${r.clearAfterSeconds}s.`), onError)}>Copy</button>}
                </>
              )}
            </li>
          );
        })}
      </ul>
      {copied && <div className="muted small">{copied}</div>}
      {!canCopy && <div className="muted small">Copy is offered in the desktop app only (a browser page cannot clear the clipboard safely).</div>}
      <button onClick={onClose} data-testid="sealed-close">Close</button>
    </section>
  );
}
