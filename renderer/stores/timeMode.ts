// UTC / site time / both: how every time on screen is shown (table, axis, detail, chains, trace). Remembered per
// machine; the site zone is the open case's.
import { useMemo } from 'react';
import { create } from 'zustand';
import { timeFormat, type TimeFormat, type TimeMode } from '../lib/siteTime';
import { useApp } from './app';

const KEY = 'casefile.timeMode';

function initial(): TimeMode {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
  return saved === 'site' || saved === 'both' ? saved : 'utc';
}

export const useTimeMode = create<{ mode: TimeMode; setMode(m: TimeMode): void }>((set) => ({
  mode: initial(),
  setMode(mode) { localStorage.setItem(KEY, mode); set({ mode }); },
}));

/** The formatter for the open case in the chosen mode. */
export function useTimeFormat(): TimeFormat {
  const mode = useTimeMode((s) => s.mode);
  const zone = useApp((s) => s.current?.timezone.zone ?? '');
  const at = useApp((s) => (s.current?.timeRange ? Date.parse(s.current.timeRange.from) : undefined));
  const until = useApp((s) => (s.current?.timeRange ? Date.parse(s.current.timeRange.to) : undefined));
  return useMemo(() => timeFormat(mode, zone, at, until ?? at), [mode, zone, at, until]);
}
