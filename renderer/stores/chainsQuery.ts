// The Chains view's filters and sort, kept outside the view so opening a trace and coming back finds them as left.
import { create } from 'zustand';
import type { ChainKind, ChainStatus } from '../../shared/correlation';
import type { ChainsLink } from '../../shared/viewLink';

export type ChainSort = NonNullable<ChainsLink['sort']>;

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
  /** Pages loaded past the first ("Show more"), for the list they were asked on (its filters, as `listKey`): any
   * other filter, sort or window starts again at the first page; a trace opened and closed finds them loaded. */
  more: { listKey: string; pages: number } | null;
  set(p: Partial<Omit<ChainsQueryState, 'set' | 'reset' | 'applyLink'>>): void;
  reset(): void;
  /** Puts a link's filters on the view; what the link leaves out is the default (a link without any: every chain). */
  applyLink(link: ChainsLink | undefined): void;
}

const EMPTY = { kinds: [], statuses: [], minDur: '', text: '', sort: 'first' as ChainSort, followWindow: true, shown: [], more: null };

export const useChainsQuery = create<ChainsQueryState>((set) => ({
  ...EMPTY,
  set(p) { set(p); },
  reset() { set(EMPTY); },
  applyLink(link) { set({ ...EMPTY, ...link }); },
}));

/** The filters that differ from the defaults, for the address: an unfiltered list writes nothing. */
export function chainsLinkOf(q: ChainsQueryState): ChainsLink {
  const out: ChainsLink = {};
  if (q.kinds.length) out.kinds = q.kinds;
  if (q.statuses.length) out.statuses = q.statuses;
  if (q.text) out.text = q.text;
  if (q.minDur) out.minDur = q.minDur;
  if (q.sort !== EMPTY.sort) out.sort = q.sort;
  if (q.followWindow !== EMPTY.followWindow) out.followWindow = q.followWindow;
  return out;
}
