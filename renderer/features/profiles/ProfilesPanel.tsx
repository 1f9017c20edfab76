// Site profiles: pick one for the pull, add or replace one from its JSON (no secret goes in a profile), remove one.
import { useEffect, useState } from 'react';
import type { SiteProfile } from '../../../shared/profile';
import { call } from '../../api/client';
import { errorText } from '../../stores/app';
import { usePull } from '../../stores/pullJob';

const hop = (h: SiteProfile['target']) => `${h.user}@${h.host}:${h.port}`;

export function ProfilesPanel() {
  const { form, setForm } = usePull();
  const [profiles, setProfiles] = useState<SiteProfile[]>([]);
  const [json, setJson] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    call('profiles.list', {}).then((p) => {
      if (!live) return;
      setProfiles(p);
      if (!form.profile && p[0]) setForm({ profile: p[0].name });
    }, (e) => live && setError(errorText(e)));
    return () => { live = false; };
  }, [tick]);

  const save = async () => {
    try {
      await call('profiles.save', { profile: JSON.parse(json) as SiteProfile, replace: true });
      setJson(''); setError(null); setTick(tick + 1);
    } catch (e) { setError(e instanceof SyntaxError ? `Not JSON: ${e.message}` : errorText(e)); }
  };

  return (
    <section className="card" data-testid="profiles-panel">
      <h4>Site profiles</h4>
      {profiles.length === 0 && <div className="muted">No profile yet: add one below (or `casefile profile import-ssh-config`).</div>}
      {profiles.map((p) => (
        <label key={p.name} className="profile-row" data-testid={`profile-${p.name}`}>
          <input type="radio" name="profile" checked={form.profile === p.name} onChange={() => setForm({ profile: p.name })} />
          <b>{p.name}</b> <span className="mono small">{[...p.jumps, p.target].map(hop).join(' → ')}</span>
          <span className="muted small"> {p.logRoot} · cap {(p.capBytes / 1e6).toFixed(0)} MB · {p.timezone}</span>
          <button className="small" onClick={() => { void call('profiles.remove', { name: p.name }).then(() => setTick(tick + 1)); }}>remove</button>
        </label>
      ))}
      <details>
        <summary>Add or replace a profile (JSON)</summary>
        <textarea data-testid="profile-json" rows={8} value={json} onChange={(e) => setJson(e.target.value)}
          placeholder='{"name":"acme","jumps":[{"host":"jump.example","user":"ops","auth":{"kind":"agent"}}],"target":{…},"logRoot":"/home/scribble/enrich","capBytes":1000000000}' />
        <button onClick={() => void save()} disabled={!json.trim()}>Save profile</button>
      </details>
      {error && <div className="error-box">{error}</div>}
    </section>
  );
}
