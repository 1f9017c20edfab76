// A broken audit chain as the operator reads it, in the Audit view and from `casefile audit verify`: where it breaks,
// then how far the entries around the break still chain, in one story. `headSeq` is the last entry that chains from
// the start; after a recorded tear that is past the break (the tear and what was written since chain on), elsewhere
// it is before it, and "broken at 11" beside "verified up to 14" read as a contradiction. Pure TypeScript.
import type { AuditVerifyResult } from './audit';

const range = (from: number, to: number) => (from === to ? `entry ${from}` : `entries ${from}–${to}`);
const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** "Entries 1–4 chain correctly", "Entry 1 chains correctly". */
const chain = (from: number, to: number, how = 'correctly') => `${upper(range(from, to))} ${from === to ? 'chains' : 'chain'} ${how}`;

/** Where the chain breaks: "entry 3 (line 3)", "line 7" for a line that is no entry, or the tear record's entry. */
export function breakPlace(r: AuditVerifyResult): string {
  const b = r.firstBroken;
  if (!b) return '';
  if (b.seq === null) return `line ${b.line}`;
  return `entry ${b.seq} (line ${b.line}${r.openTear === b.seq ? ', the tear record' : ''})`;
}

/** What still chains around the break, and what cannot be verified (a broken result; '' for an intact one). */
export function brokenExtent(r: AuditVerifyResult): string {
  const b = r.firstBroken;
  if (r.ok || !b) return '';
  const last = r.headSeq ?? 0;
  const n = r.entries;
  if (last === 0) return n === 0 ? 'There is no entry to verify.' : `None of the ${n} entries in the log can be verified.`;
  if (r.openTear !== undefined) {
    // The tear record chains to the last entry left, and everything written since chains to it.
    const t = r.openTear;
    const since = `${range(t, last)} (written since, starting with the tear record)`;
    const both = t > 1 ? `${upper(range(1, t - 1))} (before the cut) and ${since} chain correctly` : `${upper(since)} ${t === last ? 'chains' : 'chain'} correctly`;
    return `${both}; the entries that were cut off or rewritten cannot be verified.`;
  }
  // The chain stopped at the break: the rest of the log is not vouched for.
  if (n > last) return `${chain(1, last)}; from the break on, ${n - last === 1 ? 'the last entry' : `the last ${n - last} entries`} cannot be verified.${r.tornTail ? ' The log also ends in an incomplete line.' : ''}`;
  // The chain reaches the end of the log; what is wrong is about that end.
  if (b.seq !== null && b.seq > last) return `${chain(1, last)}; what came after entry ${last} is missing and cannot be verified.`;
  if (b.seq !== null) return `${last === 1 ? 'Entry 1 is intact' : chain(1, last, 'to each other')}, but entry ${b.seq} is not the one recorded earlier: the chain cannot vouch for the log up to it.`;
  if (r.tornTail) return `${chain(1, last)}; only the incomplete last line is no entry.`;
  return `${chain(1, last)}, but a cut-off end cannot be ruled out.`;
}
