// One site profile field by field: the jump hosts in dial order, the target, where the logs are, the cap and the
// site's zone. Each wrong field says why beside it (profileDraft.ts applies the schema); no secret is asked for here:
// a key file's passphrase is typed when the pull runs.
import { useMemo, useState } from 'react';
import { checkDraft, emptyHop, fieldLabel, type DraftErrors, type HopDraft, type ProfileDraft } from './profileDraft';

const MAX_JUMPS = 4;

function zones(): string[] {
  try { return Intl.supportedValuesOf('timeZone'); } catch { return []; }
}

const Err = ({ errors, k }: { errors: DraftErrors; k: string }) =>
  errors[k] ? <div className="field-error" data-testid={`pf-err-${k}`}>{errors[k]}</div> : null;

function HopFields({ hop, at, label, errors, onChange, onRemove }: {
  hop: HopDraft; at: string; label: string; errors: DraftErrors; onChange(h: HopDraft): void; onRemove?: () => void;
}) {
  const set = (p: Partial<HopDraft>) => onChange({ ...hop, ...p });
  const id = at.replace('.', '-'); // test ids: pf-target-host, pf-jumps-0-host
  return (
    <fieldset className="hop" data-testid={`pf-${id}`}>
      <legend>{label} {onRemove && <button type="button" className="small" data-testid={`pf-${id}-remove`} onClick={onRemove}>remove</button>}</legend>
      <div className="row">
        <label>user <input data-testid={`pf-${id}-user`} value={hop.user} onChange={(e) => set({ user: e.target.value })} /></label>
        <label>host <input data-testid={`pf-${id}-host`} value={hop.host} onChange={(e) => set({ host: e.target.value })} /></label>
        <label>port <input data-testid={`pf-${id}-port`} size={5} value={hop.port} onChange={(e) => set({ port: e.target.value })} /></label>
      </div>
      <Err errors={errors} k={`${at}.user`} /><Err errors={errors} k={`${at}.host`} /><Err errors={errors} k={`${at}.port`} />
      <div className="row">
        <label>sign in with <select data-testid={`pf-${id}-auth`} value={hop.auth} onChange={(e) => set({ auth: e.target.value as HopDraft['auth'] })}>
          <option value="agent">the SSH agent</option><option value="key">a key file</option>
        </select></label>
        {hop.auth === 'key' && <label>key file <input data-testid={`pf-${id}-key`} className="mono" value={hop.keyPath} placeholder="/home/you/.ssh/id_ed25519" onChange={(e) => set({ keyPath: e.target.value })} /></label>}
      </div>
      <Err errors={errors} k={`${at}.keyPath`} />
      <details>
        <summary className="small">host keys (optional: else Casefile's known_hosts, asked on first contact)</summary>
        <label className="small">pinned fingerprints, one per line (SHA256:…)
          <textarea data-testid={`pf-${id}-hostkeys`} className="mono" rows={2} value={hop.hostKeys} onChange={(e) => set({ hostKeys: e.target.value })} /></label>
        <Err errors={errors} k={`${at}.hostKeys`} />
        <label className="small">a known_hosts file to trust <input className="mono" value={hop.knownHostsFile} onChange={(e) => set({ knownHostsFile: e.target.value })} /></label>
        <Err errors={errors} k={`${at}.knownHostsFile`} />
      </details>
    </fieldset>
  );
}

export function ProfileForm({ initial, editing, onSave, onCancel }: {
  initial: ProfileDraft;
  /** The stored name when an existing profile is edited. */
  editing?: string;
  onSave(checked: NonNullable<ReturnType<typeof checkDraft>['profile']>): Promise<void>;
  onCancel(): void;
}) {
  const [d, setD] = useState(initial);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [saving, setSaving] = useState(false);
  const tz = useMemo(zones, []);
  const set = (p: Partial<ProfileDraft>) => setD({ ...d, ...p });
  const hopAt = (i: number, h: HopDraft) => set({ jumps: d.jumps.map((x, j) => (j === i ? h : x)) });

  const save = async () => {
    const r = checkDraft(d);
    setErrors(r.errors ?? {});
    if (!r.profile) return;
    setSaving(true);
    try { await onSave(r.profile); } finally { setSaving(false); }
  };

  return (
    <form className="profile-form" data-testid="profile-form" onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <label>name <input data-testid="pf-name" value={d.name} placeholder="acme" onChange={(e) => set({ name: e.target.value })} /></label>
      {editing && d.name.trim() !== editing && <div className="muted small">Saved under the new name; “{editing}” is removed.</div>}
      <Err errors={errors} k="name" />
      {d.jumps.map((h, i) => (
        <HopFields key={i} hop={h} at={`jumps.${i}`} label={`jump host ${i + 1}${i === 0 ? ' (dialled first)' : ''}`} errors={errors}
          onChange={(x) => hopAt(i, x)} onRemove={() => set({ jumps: d.jumps.filter((_, j) => j !== i) })} />
      ))}
      {d.jumps.length < MAX_JUMPS && (
        <button type="button" className="small" data-testid="pf-add-jump" onClick={() => set({ jumps: [...d.jumps, emptyHop()] })}>
          add a jump host{d.jumps.length === 0 ? ' (the target is reached through it)' : ''}
        </button>
      )}
      <HopFields hop={d.target} at="target" label="target: the server with the logs" errors={errors} onChange={(h) => set({ target: h })} />
      <div className="row">
        <label>log root on the server <input data-testid="pf-logroot" className="mono" value={d.logRoot} onChange={(e) => set({ logRoot: e.target.value })} /></label>
        <label>cap per pull <input data-testid="pf-cap" size={8} value={d.cap} placeholder="1GB" onChange={(e) => set({ cap: e.target.value })} /></label>
        <label>site timezone <input data-testid="pf-tz" list="pf-zones" value={d.timezone} onChange={(e) => set({ timezone: e.target.value })} /></label>
        <datalist id="pf-zones">{tz.map((z) => <option key={z} value={z} />)}</datalist>
      </div>
      <Err errors={errors} k="logRoot" /><Err errors={errors} k="cap" /><Err errors={errors} k="timezone" />
      <label><input type="checkbox" checked={d.allowExec} onChange={(e) => set({ allowExec: e.target.checked })} /> run <span className="mono">sha256sum</span> on the server to record each file's remote checksum (only if the client agreed)</label>
      <label>notes <textarea rows={2} value={d.notes} onChange={(e) => set({ notes: e.target.value })} placeholder="e.g. VPN first; who to ask for access" /></label>
      <Err errors={errors} k="notes" />
      {Object.keys(errors).length > 0 && (
        <div className="error-box" data-testid="pf-errors">Not saved, {Object.keys(errors).length} to correct:
          <ul>{Object.entries(errors).map(([k, m]) => <li key={k}>{fieldLabel(k)}: {m}</li>)}</ul>
        </div>
      )}
      <div className="row">
        <button type="submit" data-testid="pf-save" disabled={saving}>{saving ? 'Saving…' : 'Save profile'}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
