// The case's client redaction rules (patterns, domains and hosts, word lists, secret key names, harvested kinds)
// with a tester: sample lines pasted by the operator, redacted by the draft as it stands (saved or not).
import { useEffect, useMemo, useState } from 'react';
import { call } from '../../api/client';
import { TESTER_MAX_CHARS, TESTER_MAX_TOTAL_CHARS, testerSample } from '../../../shared/contract/redact';
import { fmtCount } from '../../lib/time';
import { errorText, useApp } from '../../stores/app';
import { countByType } from './highlight';
import { RedactedText, TypeCounts } from './RedactedText';
import { type Draft, fromDraft } from './rulesDraft';
import { rulesUnsaved, testKey, useRules } from './rulesStore';
import { useRulesCheck } from './useRulesCheck';
import './redaction.css';

export function RulesEditor() {
  const caseId = useApp((s) => s.current?.id);
  const readOnly = useApp((s) => !!s.current?.readOnly);
  // The draft lives in the rules store, not here: leaving this pane or closing the dialog must not lose it.
  const { loadError, sample, tested, load, saved_, setSample, setTested } = useRules();
  const draft = useRules((s) => (s.caseId === caseId ? s.draft : null));
  const unsaved = useRules((s) => rulesUnsaved(s, caseId));
  const [saveState, setSaveState] = useState<{ busy: boolean; error: string | null; saved: boolean }>({ busy: false, error: null, saved: false });
  const [testError, setTestError] = useState<string | null>(null);
  // A big or dense sample takes the engine seconds: the button says so, and a second press does not queue another.
  const [testing, setTesting] = useState(false);

  useEffect(() => { if (caseId) void load(caseId); }, [caseId, load]);

  const checked = useMemo(() => (draft ? fromDraft(draft) : null), [draft]);
  const pasted = useMemo(() => testerSample(sample), [sample]);
  const lines = pasted.lines;
  const engineCheck = useRulesCheck(caseId, checked?.rules ?? null, lines);
  if (loadError) return <div className="error-box" data-testid="rules-error">{loadError}</div>;
  if (!draft || !checked || !caseId) return <div className="empty">Loading rules…</div>;
  // A result made by other rules or another sample than what is on screen says so (until tested again).
  const stale = !!tested && (!checked.rules || tested.key !== testKey(checked.rules, lines));
  // The draft's own errors, then what the engine refuses in it (a pattern RE2 rejects, one that can match empty text):
  // either way Save and Test are off. What belongs to one pattern row is said beside it, the rest below the rules.
  const errors = [...checked.errors, ...engineCheck?.errors ?? []];
  const warnings = engineCheck?.warnings ?? [];
  const rowNotes = engineCheck?.patterns ?? [];
  const inline = new Set(rowNotes.map((n) => n.message));
  const listedErrors = errors.filter((e) => !inline.has(e));
  const listedWarnings = warnings.filter((w) => !inline.has(w));
  // The test's warnings are the live check's for the same rules (plus a profile's merged in): each is said once,
  // above, where it stays while the draft is edited; the tester adds only what the check did not say.
  const testWarnings = tested ? tested.warnings.filter((w) => !warnings.includes(w)) : [];

  const edit = (p: Partial<Draft>) => { useRules.getState().edit(p); setSaveState({ busy: false, error: null, saved: false }); };
  const editRow = <K extends 'patterns' | 'words'>(key: K, i: number, p: Partial<Draft[K][number]>) =>
    edit({ [key]: draft[key].map((row, j) => (j === i ? { ...row, ...p } : row)) } as Partial<Draft>);
  const dropRow = (key: 'patterns' | 'words', i: number) => edit({ [key]: draft[key].filter((_, j) => j !== i) } as Partial<Draft>);

  const save = async () => {
    if (!checked.rules) return;
    setSaveState({ busy: true, error: null, saved: false });
    try {
      saved_(await call('redact.rules.save', { caseId, rules: checked.rules }));
      setSaveState({ busy: false, error: null, saved: true });
    } catch (e) { setSaveState({ busy: false, error: errorText(e), saved: false }); }
  };
  const test = async () => {
    const rules = checked.rules;
    if (!lines.length || !rules || testing) return;
    setTestError(null);
    setTesting(true);
    try {
      const r = await call('redact.test', { caseId, rules, lines });
      setTested({ lines: r.lines, warnings: r.warnings, key: testKey(rules, lines) });
    } catch (e) { setTested(null); setTestError(errorText(e)); } finally { setTesting(false); }
  };

  return (
    <div className="rules-editor" data-testid="rules-editor">
      <section>
        <h4>Patterns <span className="muted small">RE2, matched as whole words</span></h4>
        {draft.patterns.map((p, i) => (
          <div className="row" key={i} data-testid="rule-pattern">
            <input aria-label="type" data-testid="pattern-type" value={p.type} placeholder="type (e.g. kyc)" size={12} onChange={(e) => editRow('patterns', i, { type: e.target.value })} />
            <input aria-label="regex" data-testid="pattern-regex" className="mono grow" value={p.regex} placeholder="[A-Z]+\d{4}" onChange={(e) => editRow('patterns', i, { regex: e.target.value })} />
            <ActionSelect value={p.action} onChange={(action) => editRow('patterns', i, { action })} />
            <button onClick={() => dropRow('patterns', i)} title="Remove this pattern">✕</button>
            {rowNotes.filter((n) => n.pattern === i + 1).map((n) => (
              <div key={n.message} className={`pattern-note small ${n.level === 'error' ? 'error-inline' : 'warn'}`} data-testid="pattern-note" data-level={n.level}
                role={n.level === 'error' ? 'alert' : undefined}>{n.message}</div>
            ))}
          </div>
        ))}
        <button data-testid="add-pattern" onClick={() => edit({ patterns: [...draft.patterns, { type: '', regex: '', action: 'pseudonymise' }] })}>+ pattern</button>
      </section>
      <section>
        <h4>Word lists <span className="muted small">one word or phrase a line, any case</span></h4>
        {draft.words.map((w, i) => (
          <div className="row" key={i} data-testid="rule-words">
            <input aria-label="type" value={w.type} placeholder="type (e.g. project)" size={12} onChange={(e) => editRow('words', i, { type: e.target.value })} />
            <textarea aria-label="words" className="grow" rows={2} value={w.words} onChange={(e) => editRow('words', i, { words: e.target.value })} />
            <ActionSelect value={w.action} onChange={(action) => editRow('words', i, { action })} />
            <button onClick={() => dropRow('words', i)} title="Remove this list">✕</button>
          </div>
        ))}
        <button data-testid="add-words" onClick={() => edit({ words: [...draft.words, { type: '', words: '', action: 'pseudonymise' }] })}>+ word list</button>
      </section>
      <section className="rules-lists">
        <ListBox label="Domains" hint="every host under them" value={draft.domains} testid="rules-domains" onChange={(domains) => edit({ domains })} />
        <ListBox label="Hosts" hint="exact host names" value={draft.hosts} testid="rules-hosts" onChange={(hosts) => edit({ hosts })} />
        <ListBox label="Secret key names" hint="their values become <secret:…>" value={draft.secretKeys} testid="rules-secret-keys" onChange={(secretKeys) => edit({ secretKeys })} />
        <label className="list-box">Harvested identifier kinds <span className="muted small">comma-separated</span>
          <input value={draft.harvestKinds} data-testid="rules-harvest" onChange={(e) => edit({ harvestKinds: e.target.value })} />
        </label>
      </section>
      {listedErrors.length > 0 && (
        <ul className="error-box rules-errors" data-testid="rules-errors">{listedErrors.map((e) => <li key={e}>{e}</li>)}</ul>
      )}
      {listedWarnings.length > 0 && (
        <ul className="warn small" data-testid="rules-warnings">{listedWarnings.map((w) => <li key={w}>{w}</li>)}</ul>
      )}
      {saveState.error && <div className="error-box" data-testid="rules-save-error">{saveState.error}</div>}
      <div className="row">
        <button className="on" data-testid="rules-save" disabled={!checked.rules || !unsaved || errors.length > 0 || saveState.busy || readOnly}
          title={unsaved ? undefined : 'Nothing to save: the rules are as saved in the case'} onClick={() => void save()}>Save rules</button>
        {saveState.saved && !unsaved && <span className="ok" data-testid="rules-saved">Saved to the case.</span>}
        {unsaved && <span className="muted small" data-testid="rules-draft">unsaved changes: exports use the saved rules until you save</span>}
        {readOnly && <span className="muted small">read-only case</span>}
      </div>
      <section className="tester">
        <h4>Tester <span className="muted small">paste sample lines; the rules above (saved or not) and every built-in detector run on them; nothing is stored</span></h4>
        <textarea data-testid="tester-input" className="mono" rows={5} value={sample} onChange={(e) => setSample(e.target.value)}
          placeholder="2023-07-06 12:00:01 INFO kyc check for GAMMA1234 by priya@acme.example" />
        <div className="row">
          <button data-testid="tester-run" disabled={!checked.rules || errors.length > 0 || !sample.trim() || testing}
            title={errors.length > 0 ? 'Fix what the rules above say first' : undefined} onClick={() => void test()}>{testing ? 'Testing…' : 'Test'}</button>
          {tested && <TypeCounts testid="tester-counts" counts={countByType(tested.lines.map((l) => l.replacements))} />}
          {pasted.dropped > 0 && <span className="muted small" data-testid="tester-dropped">the first {fmtCount(lines.length)} lines are tested ({fmtCount(pasted.dropped)} more are not)</span>}
        </div>
        {pasted.cut.length > 0 && (
          <div className="muted small" data-testid="tester-cut">
            {pasted.cut.length === 1 ? `line ${pasted.cut[0]} is` : `lines ${pasted.cut.slice(0, 5).join(', ')}${pasted.cut.length > 5 ? '…' : ''} are`} tested only in part: the tester takes up to {fmtCount(TESTER_MAX_CHARS)} characters a line and {fmtCount(TESTER_MAX_TOTAL_CHARS)} in all
          </div>
        )}
        {testError && <div className="error-box" data-testid="tester-error">{testError}</div>}
        {testWarnings.length > 0 && (
          <ul className="warn small" data-testid="tester-warnings">{testWarnings.map((w) => <li key={w}>{w}</li>)}</ul>
        )}
        {stale && <div className="warn small" data-testid="tester-stale">The rules or the sample changed since this test: Test again to see what these rules do.</div>}
        {tested && (
          <ol className={`tester-out mono${stale ? ' stale' : ''}`} data-testid="tester-output" data-stale={stale ? 'true' : undefined}>
            {tested.lines.map((l, i) => <li key={i} data-testid="tester-line"><RedactedText text={l.text} replacements={l.replacements} /></li>)}
          </ol>
        )}
      </section>
    </div>
  );
}

function ActionSelect({ value, onChange }: { value: 'pseudonymise' | 'remove'; onChange(v: 'pseudonymise' | 'remove'): void }) {
  return (
    <select aria-label="action" value={value} onChange={(e) => onChange(e.target.value as 'pseudonymise' | 'remove')}>
      <option value="pseudonymise">pseudonymise</option>
      <option value="remove">remove</option>
    </select>
  );
}

function ListBox({ label, hint, value, testid, onChange }: { label: string; hint: string; value: string; testid: string; onChange(v: string): void }) {
  return (
    <label className="list-box">{label} <span className="muted small">{hint}</span>
      <textarea rows={3} className="mono" data-testid={testid} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}
