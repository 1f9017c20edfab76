// A sealed file's field path, written the one way the app, the CLI and the audit trail show it: `db.password`,
// `hosts.0.user`, `["a.b"]` for a name with other characters, and `DB_PASSWORD#2` for the second entry of a key the
// file repeats (every entry of a repeated key is numbered, so none of them passes for "the" value).
import type { z } from 'zod';
import type { FieldSegment } from './contract/sealed';

export type Segment = z.infer<typeof FieldSegment>;

const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;

/** The name a segment stands for: the key (or array index) without its entry number. */
export const segmentName = (s: Segment): string => (typeof s === 'string' ? s : s.key);

/** One segment as written in a path: `#n` cannot be part of a plain name (a name with `#` is written in brackets). */
export function segmentText(s: Segment, first = true): string {
  const name = segmentName(s);
  const text = PLAIN_SEGMENT.test(name) ? (first ? name : `.${name}`) : `[${JSON.stringify(name)}]`;
  return typeof s === 'string' ? text : `${text}#${s.n}`;
}

export function formatPath(path: readonly Segment[]): string {
  return path.map((s, i) => segmentText(s, i === 0)).join('');
}

/** What the operator reads about a file's repeated keys: one sentence per key listed, then how many more there are. */
export function duplicateNotes(b: { duplicates: readonly { message: string }[]; duplicateKeys: number }): string[] {
  const more = b.duplicateKeys - b.duplicates.length;
  return [...b.duplicates.map((d) => d.message), ...(more > 0 ? [`${more.toLocaleString('en-US')} more key${more === 1 ? '' : 's'} appear${more === 1 ? 's' : ''} more than once; each entry is listed as its own field (#1, #2, …).`] : [])];
}
