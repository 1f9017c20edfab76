// Site profiles: pick one for the pull; add one with the form, from a host of the operator's ~/.ssh/config (read,
// shown in the form, saved only when they say so) or as JSON; edit one; remove one after asking. No secret goes in a
// profile.
import { useEffect, useState } from 'react';
import type { UnreadableProfile } from '../../../shared/contract/profiles';
import { printable } from '../../../shared/printable';
import { PROFILE_NAME, type SiteProfile } from '../../../shared/profile';
import { parseSize } from '../../../shared/size';
import { call } from '../../api/client';
import { errorText } from '../../stores/app';
import { usePull } from '../../stores/pullJob';
import { ProfileForm } from './ProfileForm';
import { draftOf, emptyDraft, type ProfileDraft } from './profileDraft';

const hop = (h: SiteProfile['target']) => `${h.user}@${h.host}:${h.port}`;

type Mode = null | { kind: 'form'; draft: ProfileDraft; editing?: string; from?: string } | { kind: 'ssh' } | { kind: 'json' };

function FromSshConfig({ onRead, onCancel }: { onRead(p: SiteProfile, from: string): void; onCancel(): void }) {
  const [f, setF] = useState({ host: '', file: '', logRoot: '/home/scribble/enrich', cap: '1GB', timezone: '' });
  const [error, setError] = useState<string | null>(null);
  const read = async () => {
    try {
      const p = await call('profiles.importSshConfig', {
        host: f.host.trim(), logRoot: f.logRoot.trim(), capBytes: parseSize(f.cap),
        ...(f.file.trim() ? { file: f.file.trim() } : {}), ...(f.timezone.trim() ? { timezone: f.timezone.trim() } : {}),
      });
      onRead(p, f.host.trim());
    } catch (e) { setError(errorText(e)); }
  };
  return (
    <form data-testid="ssh-import" onSubmit={(e) => { e.preventDefault(); void read(); }}>
      <div className="muted small">Reads one Host of an OpenSSH config (its ProxyJump chain becomes the jump hosts; Match exec is never run), then shows the profile to check before it is saved.</div>
      <div className="row">
        <label>Host alias <input data-testid="ssh-host" value={f.host} onChange={(e) => setF({ ...f, host: e.target.value })} placeholder="acme-prod" /></label>
        <label>config file <input data-testid="ssh-file" className="mono" value={f.file} onChange={(e) => setF({ ...f, file: e.target.value })} placeholder="~/.ssh/config" /></label>
      </div>
      <div className="row">
        <label>log root <input data-testid="ssh-logroot" className="mono" value={f.logRoot} onChange={(e) => setF({ ...f, logRoot: e.target.value })} /></label>
        <label>cap <input size={8} value={f.cap} onChange={(e) => setF({ ...f, cap: e.target.value })} /></label>
        <label>site timezone <input value={f.timezone} onChange={(e) => setF({ ...f, timezone: e.target.value })} placeholder="UTC" /></label>
      </div>
      {error && <div className="error-box" data-testid="ssh-error">{error}</div>}
      <div className="row">
        <button type="submit" data-testid="ssh-read" disabled={!f.host.trim()}>Read the host</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function FromJson({ onSaved, onCancel }: { onSaved(): void; onCancel(): void }) {
  const [json, setJson] = useState('');
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    try {
      await call('profiles.save', { profile: JSON.parse(json) as SiteProfile, replace: true });
      onSaved();
    } catch (e) { setError(e instanceof SyntaxError ? `Not JSON: ${e.message}` : errorText(e)); }
  };
  return (
    <div>
      <textarea data-testid="profile-json" rows={8} value={json} onChange={(e) => setJson(e.target.value)}
        placeholder='{"name":"acme","jumps":[{"host":"jump.example","user":"ops","auth":{"kind":"agent"}}],"target":{…},"logRoot":"/home/scribble/enrich","capBytes":1000000000}' />
      {error && <div className="error-box">{error}</div>}
      <div className="row">
        <button onClick={() => void save()} disabled={!json.trim()}>Save profile</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </div>
  );
}

export function ProfilesPanel() {
  const { form, setForm } = usePull();
  const [profiles, setProfiles] = useState<SiteProfile[]>([]);
  const [unreadable, setUnreadable] = useState<UnreadableProfile[]>([]);
  const [mode, setMode] = useState<Mode>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = () => setTick((t) => t + 1);

  useEffect(() => {
    let live = true;
    call('profiles.list', {}).then(({ profiles: p, unreadable: u }) => {
      if (!live) return;
      setProfiles(p); setUnreadable(u);
      if (!p.some((x) => x.name === form.profile)) setForm({ profile: p[0]?.name ?? '' });
    }, (e) => live && setError(errorText(e)));
    return () => { live = false; };
  }, [tick]);

  const saveChecked = (editing?: string) => async (p: SiteProfile) => {
    try {
      // A new name must not overwrite another profile; the one being edited is replaced, or removed once renamed.
      const exists = profiles.some((x) => x.name === p.name);
      if (exists && p.name !== editing) throw new Error(`A profile named “${p.name}” exists: edit that one, or choose another name.`);
      await call('profiles.save', { profile: p, replace: p.name === editing });
      if (editing && editing !== p.name) await call('profiles.remove', { name: editing });
      setForm({ profile: p.name });
      setMode(null); setError(null); reload();
    } catch (e) { setError(errorText(e)); }
  };

  // Read again: the list may be older than the stored profile (the CLI or another window changed it), and saving the
  // form replaces the whole profile.
  const edit = async (name: string) => {
    try { setMode({ kind: 'form', draft: draftOf(await call('profiles.get', { name })), editing: name }); setError(null); } catch (e) { setError(errorText(e)); reload(); }
  };

  const remove = async (name: string) => {
    try { await call('profiles.remove', { name }); setError(null); } catch (e) { setError(errorText(e)); }
    setRemoving(null); reload();
  };

  return (
    <section className="card" data-testid="profiles-panel">
      <h4>Site profiles</h4>
      {profiles.length === 0 && unreadable.length === 0 && !mode && <div className="muted">No profile yet: add one below.</div>}
      {profiles.map((p) => (
        <div key={p.name} className="profile-row" data-testid={`profile-${p.name}`}>
          <label>
            <input type="radio" name="profile" checked={form.profile === p.name} onChange={() => setForm({ profile: p.name })} />
            <b>{p.name}</b> <span className="mono small">{[...p.jumps, p.target].map(hop).join(' → ')}</span>
            <span className="muted small"> {p.logRoot} · cap {(p.capBytes / 1e6).toFixed(0)} MB · {p.timezone}</span>
          </label>
          {removing === p.name ? (
            <span className="row" data-testid={`profile-remove-ask-${p.name}`}>Remove “{p.name}”?
              <button className="small" data-testid={`profile-remove-yes-${p.name}`} onClick={() => void remove(p.name)}>Remove</button>
              <button className="small" onClick={() => setRemoving(null)}>Keep</button></span>
          ) : (
            <>
              <button className="small" data-testid={`profile-edit-${p.name}`} onClick={() => void edit(p.name)}>edit</button>
              <button className="small" data-testid={`profile-remove-${p.name}`} onClick={() => setRemoving(p.name)}>remove</button>
            </>
          )}
        </div>
      ))}
      {unreadable.length > 0 && (
        // A profile file that cannot be read is said with its reason, never silently left out: the operator removes
        // it here (or replaces the file) instead of wondering where the site went.
        <div data-testid="profiles-unreadable">
          <div className="small"><b>Profiles that cannot be read</b></div>
          {unreadable.map((u) => (
            <div key={u.name} className="profile-row small" data-testid={`profile-unreadable-${u.name}`}>
              <span className="mono">{printable(u.error)}</span>
              {PROFILE_NAME.test(u.name) && (removing === u.name ? (
                <span className="row" data-testid={`profile-remove-ask-${u.name}`}>Remove the file of “{u.name}”?
                  <button className="small" data-testid={`profile-remove-yes-${u.name}`} onClick={() => void remove(u.name)}>Remove</button>
                  <button className="small" onClick={() => setRemoving(null)}>Keep</button></span>
              ) : <button className="small" data-testid={`profile-remove-${u.name}`} onClick={() => setRemoving(u.name)}>remove</button>)}
            </div>
          ))}
        </div>
      )}
      {!mode && (
        <div className="row">
          <button data-testid="profile-new" onClick={() => { setMode({ kind: 'form', draft: emptyDraft() }); setError(null); }}>New profile</button>
          <button data-testid="profile-from-ssh" onClick={() => { setMode({ kind: 'ssh' }); setError(null); }}>From an SSH config…</button>
          <button data-testid="profile-from-json" className="small" onClick={() => { setMode({ kind: 'json' }); setError(null); }}>Paste JSON…</button>
        </div>
      )}
      {mode?.kind === 'form' && (
        <>
          {mode.from && <div className="muted small" data-testid="profile-from-note">Read from the SSH config's Host {mode.from}: check it, then save.</div>}
          <ProfileForm key={mode.editing ?? mode.from ?? 'new'} initial={mode.draft} {...(mode.editing ? { editing: mode.editing } : {})}
            onSave={saveChecked(mode.editing)} onCancel={() => { setMode(null); setError(null); }} />
        </>
      )}
      {mode?.kind === 'ssh' && <FromSshConfig onRead={(p, from) => { setMode({ kind: 'form', draft: draftOf(p), from }); setError(null); }} onCancel={() => setMode(null)} />}
      {mode?.kind === 'json' && <FromJson onSaved={() => { setMode(null); reload(); }} onCancel={() => setMode(null)} />}
      {error && <div className="error-box" data-testid="profiles-error">{error}</div>}
    </section>
  );
}
