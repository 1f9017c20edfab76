// Saved views per case: a name for the current filter and columns (views.list/save/delete).
import { useEffect, useState } from 'react';
import type { SavedView } from '../../../shared/contract';
import { call } from '../../api/client';
import { useApp } from '../../stores/app';
import { useFilter } from '../../stores/filter';

export function SavedViews() {
  const caseId = useApp((s) => s.current?.id);
  const readOnly = useApp((s) => s.current?.readOnly ?? false);
  const [views, setViews] = useState<SavedView[]>([]);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState('');
  /** A name that already has a view: saving again replaces it only once the operator says so. */
  const [clash, setClash] = useState<string | null>(null);

  useEffect(() => {
    if (!caseId) return;
    call('views.list', { caseId }).then(setViews).catch((e) => useApp.getState().fail(e));
  }, [caseId]);

  const save = async (replace = false) => {
    const wanted = name.trim();
    if (!caseId || !wanted) return;
    if (!replace && views.some((v) => v.name === wanted)) { setClash(wanted); return; }
    const { filter, columns } = useFilter.getState();
    try {
      setViews(await call('views.save', { caseId, view: { name: wanted, filter, columns } }));
      setChosen(wanted); setNaming(false); setName(''); setClash(null);
    } catch (e) { useApp.getState().fail(e); }
  };
  const remove = async () => {
    if (!caseId || !chosen) return;
    try { setViews(await call('views.delete', { caseId, name: chosen })); setChosen(''); } catch (e) { useApp.getState().fail(e); }
  };

  return (
    <span className="views" data-testid="saved-views">
      <select value={chosen} data-testid="view-select" onChange={(e) => {
        setChosen(e.target.value);
        const v = views.find((x) => x.name === e.target.value);
        if (v) useFilter.getState().applyView(v);
      }}>
        <option value="">Saved views ({views.length})</option>
        {views.map((v) => <option key={v.name} value={v.name}>{v.name}</option>)}
      </select>
      {chosen && <button title="Delete this saved view" onClick={remove} disabled={readOnly}>Delete</button>}
      {naming ? (
        <>
          <input autoFocus placeholder="view name" value={name} data-testid="view-name"
            onChange={(e) => { setName(e.target.value); setClash(null); }}
            onKeyDown={(e) => { if (e.key === 'Enter') void save(); if (e.key === 'Escape') { setNaming(false); setClash(null); } }} />
          <button onClick={() => void save()} disabled={!name.trim()}>Save</button>
          {clash && (
            <span className="clash" data-testid="view-overwrite" role="alertdialog">
              “{clash}” exists — replace it?
              <button data-testid="view-overwrite-confirm" onClick={() => void save(true)}>Replace</button>
              <button data-testid="view-overwrite-cancel" onClick={() => { setClash(null); setNaming(false); setName(''); }}>Cancel</button>
            </span>
          )}
        </>
      ) : (
        <button onClick={() => setNaming(true)} disabled={readOnly} data-testid="view-save"
          title={readOnly ? 'The case is open read-only' : 'Save the current filter and columns'}>Save view</button>
      )}
    </span>
  );
}
