// "What happened at 14:03?": a time typed on the clock the screen shows (site or UTC) becomes the timeline's range, as
// long as what was typed (a minute, an hour, a day, or from one to another), so the operator need not brush a four-week axis down to a minute.
import { useState } from 'react';
import { useFilter } from '../../stores/filter';
import { useTimeFormat } from '../../stores/timeMode';
import { wallTimeRange } from '../../lib/wallTime';

/** `viewStart`: the first instant shown, whose day a time typed alone falls on. */
export function GoToTime({ viewStart }: { viewStart: string | null }) {
  const time = useTimeFormat();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  // Both mode shows site time first: a typed time is read on that clock.
  const zone = time.mode === 'utc' ? '' : time.zone;
  const clock = time.mode === 'utc' ? 'UTC' : time.label.replace(/ · UTC$/, '');
  const go = () => {
    if (!text.trim()) return;
    const day = viewStart ? time.fmt(viewStart).slice(0, 10) : '';
    const range = wallTimeRange(text, zone, day);
    if (!range) { setProblem('not a time: type 14:03, 2023-07-06 14:03, 2023-07-06 or 13:53 - 14:03'); return; }
    setProblem(null);
    useFilter.getState().setRange(range.from, range.to);
  };
  return (
    <span className="goto-time">
      <input data-testid="goto-time" className="goto-input" value={text} placeholder={`go to time (${clock})`}
        aria-label={`Go to a time, read as ${clock}`} title={`A minute, hour or day on the ${clock} clock (14:03, 2023-07-06 14:03, 2023-07-06), or from one to another (13:53 - 14:03)`}
        onChange={(e) => { setText(e.target.value); setProblem(null); }}
        onKeyDown={(e) => { if (e.key === 'Enter') go(); if (e.key === 'Escape') (e.target as HTMLInputElement).blur(); }} />
      {problem && <span className="error-inline" data-testid="goto-time-error" role="alert">{problem}</span>}
    </span>
  );
}
