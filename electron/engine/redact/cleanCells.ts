// Which output cells the redaction pass already proved clean, so the fail-closed re-scan need not run the detectors
// over them again. A cell is "clean" when the full detector stack found nothing in it: its output is its input,
// byte for byte, and the re-scan's secret detectors (a subset of that stack, same views) cannot find anything either.
// The claim is only trusted when it verifies: a batch carries a digest over the detectors' fingerprint and every
// clean cell's text with its row and column; the re-scan recomputes it over the cells it decoded from the written
// file with its own detectors' fingerprint. Any difference (another detector set, a cell the writer or reader
// changed, rows out of order, a short batch) and the whole batch is scanned by every detector. The search for
// replaced originals always covers every cell.
import crypto from 'node:crypto';

export interface CleanClaim {
  /** Per row: bit i set when cell i was clean in the redaction pass. */
  masks: number[];
  /** sha256 over the fingerprint and every clean cell (row, column, length, text). */
  digest: string;
}

/** Text is fed to the hash in pieces of about this many characters: no joined copy of every clean cell, no call per cell. */
const PIECE = 1 << 16;

export function cleanDigest(fingerprint: string, rows: readonly (readonly (string | null)[])[], masks: readonly number[]): string {
  // parts separated by NUL; the digest is of their concatenation, however it is cut into pieces
  const hash = crypto.createHash('sha256');
  let piece = `${fingerprint}\u0000${rows.length}`;
  rows.forEach((cells, r) => {
    const m = masks[r] ?? 0;
    if (m === 0) return;
    cells.forEach((c, i) => {
      if (!(m & (1 << i))) return;
      piece += `\u0000${r}:${i}:${c === null ? -1 : c.length}:\u0000${c ?? ''}`;
      if (piece.length >= PIECE) { hash.update(piece); piece = ''; }
    });
  });
  return hash.update(piece).digest('hex');
}

/** The masks when the claim verifies against these decoded rows, else null (scan everything). */
export function verifiedMasks(claim: CleanClaim | undefined, fingerprint: string, rows: readonly (readonly (string | null)[])[]): readonly number[] | null {
  if (!claim || claim.masks.length !== rows.length) return null;
  return cleanDigest(fingerprint, rows, claim.masks) === claim.digest ? claim.masks : null;
}
