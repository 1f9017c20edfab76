// The Chains view's filters and sort, kept outside the view so opening a trace and coming back finds them as left.
import { create } from 'zustand';
import type { SortingState } from '@tanstack/react-table';
import type { ChainKind, ChainStatus } from '../../shared/correlation';

export type ChainSort = 'first' | 'duration' | 'events';

interface ChainsQueryState {
  kinds: ChainKind[];
  statuses: ChainStatus[];
  /** Minimum duration in seconds, as typed. */
  minDur: string;
  text: string;
  sort: ChainSort;
  sorting: SortingState;
  /** Keys of the chains as last listed, in the order shown: what [ and ] step through. */
  shown: string[];
  set(p: Partial<Omit<ChainsQueryState, 'set' | 'reset'>>): void;
  reset(): void;
}

const EMPTY = { kinds: [], statuses: [], minDur: '', text: '', sort: 'first' as ChainSort, sorting: [], shown: [] };

export const useChainsQuery = create<ChainsQueryState>((set) => ({
  ...EMPTY,
  set(p) { set(p); },
  reset() { set(EMPTY); },
}));
