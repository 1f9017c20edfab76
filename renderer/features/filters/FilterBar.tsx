// Search, level toggles, field filters with top values, saved views, and every active filter as a removable chip.
import { useEffect, useRef, useState } from 'react';
import { LEVELS } from '../../../shared/domain';
import { useFilter } from '../../stores/filter';
import { levelColor } from '../../lib/levels';
import { useTimeFormat } from '../../stores/timeMode';
import { CASE_RULE, preloadRegexCheck, regexProblem } from '../../lib/regex';
import { FieldFilterPicker } from './FieldFilterPicker';
import { SavedViews } from './SavedViews';

export function FilterBar() {
  const filter = useFilter((s) => s.filter);
  const regex = useFilter((s) => s.regex);
  const { setText, setRegex, toggleLevel } = useFilter.getState();
  const [text, setLocalText] = useState(filter.text ?? '');
  const [regexError, setRegexError] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The box follows the filter (a facet click, a saved view, Back) but keeps the spaces the operator is still typing
  // around the text it searched.
  useEffect(() => { setLocalText((cur) => (cur.trim() === (filter.text ?? '') ? cur : filter.text ?? '')); }, [filter.text]);
  useEffect(() => () => clearTimeout(timer.current), []);

  // A pattern RE2 refuses is never sent: the error shows here, once, and the last good search stays applied.
  const applied = useRef(0);
  const apply = (typed: string, asRegex = regex) => {
    clearTimeout(timer.current);
    // An id pasted from a terminal or a chat comes with spaces around it, which no record has there: plain text is
    // searched without them (a regex is searched as written; `\s` says a space where one is meant).
    const t = asRegex ? typed : typed.trim();
    const mine = ++applied.current;
    if (!asRegex || !t) { setRegexError(null); setText(t, asRegex); return; }
    // The checker may still be loading: only the last search asked for is applied.
    void regexProblem(t).then((problem) => {
      if (mine !== applied.current) return;
      setRegexError(problem);
      if (!problem) setText(t, asRegex);
    });
  };
  useEffect(() => { if (regex) preloadRegexCheck(); }, [regex]);

  return (
    <section className="filters" data-testid="filters">
      <div className="filter-row">
        <input id="search" data-testid="search-input" className="search" placeholder={regex ? 'regex… (/ to focus)' : 'search text… (/ to focus)'}
          value={text}
          onChange={(e) => {
            const t = e.target.value;
            setLocalText(t);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => apply(t), 450);
          }}
          onKeyDown={(e) => { if (e.key === 'Enter') apply(text); if (e.key === 'Escape') (e.target as HTMLInputElement).blur(); }} />
        <label className="check" title="Treat the search as a regular expression (RE2 syntax, as the query engine runs it)">
          <input type="checkbox" data-testid="regex-toggle" checked={regex}
            onChange={(e) => { setRegex(e.target.checked); apply(text, e.target.checked); }} />regex
        </label>
        <span className="hint" data-testid="case-rule" title="Text and regex search both ignore case; start a pattern with (?-i) to match case">{CASE_RULE}</span>
        {regexError && <span className="error-inline" data-testid="regex-error" role="alert">Not searched — invalid regex: {regexError}</span>}
        <span className="level-toggles">
          {LEVELS.map((l) => {
            const on = filter.levels?.includes(l) ?? false;
            return (
              <button key={l} data-testid={`level-${l}`} aria-pressed={on} className={`level-btn${on ? ' on' : ''}`}
                style={{ borderColor: levelColor(l), ...(on ? { background: levelColor(l) } : {}) }}
                onClick={() => toggleLevel(l)}>{l}</button>
            );
          })}
        </span>
        <FieldFilterPicker />
        <span className="spacer" />
        <SavedViews />
      </div>
      <FilterChips />
    </section>
  );
}

function Chip({ label, onRemove, kind }: { label: string; onRemove: () => void; kind: string }) {
  return (
    <span className="chip" data-testid="filter-chip" data-kind={kind}>
      {label}
      <button className="chip-x" aria-label={`remove ${label}`} onClick={onRemove}>×</button>
    </span>
  );
}

export function FilterChips() {
  const filter = useFilter((s) => s.filter);
  const { toggleSource, clearKey, removeField, clearAll } = useFilter.getState();
  // The range in the zone the table and axis show, named: a UTC range under a site-time table reads as the wrong hour.
  const time = useTimeFormat();
  const any = Object.keys(filter).length > 0;
  if (!any) return <div className="chips muted small">No filters — all events of the case.</div>;
  return (
    <div className="chips">
      {filter.sources?.map((s) => <Chip key={`s-${s}`} kind="source" label={`source: ${s}`} onRemove={() => toggleSource(s)} />)}
      {filter.levels?.length ? <Chip kind="level" label={`level: ${filter.levels.join(', ')}`} onRemove={() => clearKey('levels')} /> : null}
      {(filter.from || filter.to) && (
        <Chip kind="range" label={`time: ${time.fmt(filter.from)} → ${time.fmt(filter.to)} (${time.label})`} onRemove={() => { clearKey('from'); clearKey('to'); }} />
      )}
      {filter.text && <Chip kind="text" label={`${filter.regex ? 'regex' : 'text'}: ${filter.text}`} onRemove={() => clearKey('text')} />}
      {filter.fields?.map((f, i) => (
        <Chip key={`f-${i}`} kind="field" label={`${f.field} ${f.negate ? '≠' : '='} ${f.value}`} onRemove={() => removeField(i)} />
      ))}
      {filter.files?.length ? <Chip kind="files" label={`files: ${filter.files.length}`} onRemove={() => clearKey('files')} /> : null}
      {filter.parseStatus?.length ? <Chip kind="parse" label={`parse: ${filter.parseStatus.join(', ')}`} onRemove={() => clearKey('parseStatus')} /> : null}
      <button className="link" data-testid="clear-filters" onClick={clearAll}>clear all</button>
    </div>
  );
}
