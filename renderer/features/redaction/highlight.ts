// Where each replacement sits in redacted text. The engine reports replacements at offsets of the original record
// (never its values); the redacted text is those records with each span swapped for its token, so the token
// positions follow by walking the spans in order.
import type { Replacement } from '../../../shared/redaction';

export type Piece = { text: string; replacement?: Replacement };

/** Redacted text cut into plain pieces and replacement tokens. If the text does not line up with the replacements
 * (it should always), the whole text comes back as one plain piece rather than a wrong highlight. */
export function piecesOf(text: string, replacements: readonly Replacement[]): Piece[] {
  const out: Piece[] = [];
  let src = 0; // offset in the original record
  let at = 0; // offset in the redacted text
  for (const r of [...replacements].sort((a, b) => a.start - b.start)) {
    const plain = r.start - src;
    if (plain < 0) return [{ text }];
    const tokenAt = at + plain;
    if (text.slice(tokenAt, tokenAt + r.token.length) !== r.token) return [{ text }];
    if (plain > 0) out.push({ text: text.slice(at, tokenAt) });
    out.push({ text: r.token, replacement: r });
    at = tokenAt + r.token.length;
    src = r.end;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

/** Replacements counted by type, most frequent first. */
export function countByType(lists: Iterable<readonly Replacement[]>): [string, number][] {
  const n = new Map<string, number>();
  for (const l of lists) for (const r of l) n.set(r.type, (n.get(r.type) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
