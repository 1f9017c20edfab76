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

  useEffect(() => {
    if (!caseId) return;
    call('views.list', { caseId }).then(setViews).catch((e) => useApp.getState().fail(e));
  }, [caseId]);

  const save = async () => {
    if (!caseId || !name.trim()) return;
    const { filter, columns } = useFilter.getState();
    try {
      setViews(await call('views.save', { caseId, view: { name: name.trim(), filter, columns } }));
      setChosen(name.trim()); setNaming(false); setName('');
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
            onChange={(e) => setName(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') void save(); if (e.key === 'Escape') setNaming(false); }} />
          <button onClick={save} disabled={!name.trim()}>Save</button>
        </>
      ) : (
        <button onClick={() => setNaming(true)} disabled={readOnly} data-testid="view-save"
          title={readOnly ? 'The case is open read-only' : 'Save the current filter and columns'}>Save view</button>
      )}
    </span>
  );
}
