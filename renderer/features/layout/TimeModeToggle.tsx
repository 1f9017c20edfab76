// UTC / site time / both, for every time on screen; the site zone is the case's, named in the tooltip.
import type { TimeMode } from '../../lib/siteTime';
import { useApp } from '../../stores/app';
import { useTimeMode } from '../../stores/timeMode';

const MODES: [TimeMode, string][] = [['utc', 'UTC'], ['site', 'Site'], ['both', 'Both']];

export function TimeModeToggle() {
  const { mode, setMode } = useTimeMode();
  const zone = useApp((s) => s.current?.timezone.zone ?? '');
  return (
    <span className="time-mode" data-testid="time-mode" role="group" aria-label="Times shown in">
      {MODES.map(([m, label]) => (
        <button key={m} data-testid={`time-mode-${m}`} aria-pressed={mode === m} className={mode === m ? 'on' : ''}
          title={m === 'utc' ? 'Show times in UTC' : m === 'site' ? `Show times on the site clock (${zone})` : `Site time (${zone}) and UTC side by side`}
          onClick={() => setMode(m)}>{label}</button>
      ))}
    </span>
  );
}
