// The Chains view's filters and sort, kept outside the view so opening a trace and coming back finds them as left.
import { create } from 'zustand';
import type { ChainKind, ChainStatus } from '../../shared/correlation';

export type ChainSort = 'first' | 'duration' | 'events';

interface ChainsQueryState {
  kinds: ChainKind[];
  statuses: ChainStatus[];
  /** Minimum duration in seconds, as typed. */
  minDur: string;
  text: string;
  sort: ChainSort;
  /** Narrow to the timeline's window (filter.from/to) when it has one. */
  followWindow: boolean;
  /** Keys of the chains as last listed, in the order shown: what [ and ] step through. */
  shown: string[];
  set(p: Partial<Omit<ChainsQueryState, 'set' | 'reset'>>): void;
  reset(): void;
}

const EMPTY = { kinds: [], statuses: [], minDur: '', text: '', sort: 'first' as ChainSort, followWindow: true, shown: [] };

export const useChainsQuery = create<ChainsQueryState>((set) => ({
  ...EMPTY,
  set(p) { set(p); },
  reset() { set(EMPTY); },
}));
