// Redacting a batch of rows (every column of each): the unit of work of one worker, also used inline.
import { type CleanClaim, cleanDigest, verifiedMasks } from './cleanCells';
import { Detectors, type DetectorOptions } from './detect';
import { type LineLayout, LineRenderer, readLines, type RowValue } from './lines';
import { type MapEntry, Pseudonymizer } from './pseudonym';
import { Redactor } from './redactor';
import { Rescanner, type RescanHit, type RescanTables } from './rescan';

/** `cells`: the texts to redact; `others`: the row's other columns, only to be written as they are (LineLayout). */
export interface RowIn { id: string; cells: (string | null)[]; others?: RowValue[] }
export interface BatchResult {
  /** The redacted cells per row; empty when the batch was asked for its written form (`chunk`) instead. */
  rows: (string | null)[][];
  /** The rows as written (LineLayout), UTF-8: the export writes it as it is. */
  chunk?: Uint8Array;
  byType: [string, number][];
  byRule: [string, number][];
  /**
   * Replaced originals with their kind: only ever kept in memory for the re-scan. Like `map`, only what this
   * worker had not already reported with an earlier batch: the export takes the union of all batches.
   */
  originals: [string, 'secret' | 'pii'][];
  map: MapEntry[];
  /** Cells the detectors found nothing in (their output is their input): the re-scan's detectors may skip them. */
  clean: CleanClaim;
}

export interface RedactSetup {
  detectors: DetectorOptions;
  /** The pseudonym key (a redaction pool only; never sent to a re-scan pool). */
  key?: Uint8Array;
  lengths?: [string, number][];
  /** Set for a re-scan pool: the originals search over the replaced originals (the workers scan instead of redacting). */
  rescan?: RescanTables;
}

export class BatchRedactor {
  private readonly detectors: Detectors;
  /**
   * One redactor for every batch this object (a worker) is given: the key and detectors are fixed for an export, so a
   * text's redaction is the same in any batch, and a text seen in an earlier batch (a recurring message, a path) is
   * looked up instead of redacted again (bounded memo, memo.ts).
   */
  private readonly redactor: Redactor;
  private readonly lines = new LineRenderer();

  constructor(setup: RedactSetup) {
    this.detectors = new Detectors(setup.detectors);
    this.redactor = new Redactor(this.detectors, new Pseudonymizer(Buffer.from(setup.key ?? []), new Map(setup.lengths ?? [])));
  }

  /** Zeroes this redactor's copy of the pseudonym key (it redacts no more). */
  forgetKey(): void {
    this.redactor.pseudonyms.forgetKey();
  }

  run(rows: RowIn[], layout?: LineLayout): BatchResult {
    const r = this.redactor;
    const masks: number[] = [];
    const out = rows.map((row) => {
      let mask = 0;
      const cells = row.cells.map((c, i) => {
        if (c === null) return null;
        const res = r.redact(c, row.id);
        if (res.replacements.length === 0) mask |= 1 << i;
        return res.text;
      });
      masks.push(mask);
      return cells;
    });
    const clean = { masks, digest: cleanDigest(this.detectors.fingerprint, out, masks) };
    if (!layout) return { rows: out, clean, ...r.take() };
    const chunk = this.lines.render(layout, out, rows.map((row) => row.others ?? []));
    return { rows: [], chunk, clean, ...r.take() };
  }
}

/**
 * The re-scan's unit of work: each cell of each row searched for every replaced original and checked by every
 * detector, except cells the redaction pass proved clean (a claim that verifies here, cleanCells.ts); a hit names
 * the row id and the cell's label.
 */
export class BatchScanner {
  private readonly rescanner: Rescanner;
  private readonly detectors: Detectors;
  /** Cells checked by the detectors and cells left to the originals search alone (what the claims saved). */
  readonly stats = { detected: 0, skipped: 0, refused: 0 };

  constructor(setup: RedactSetup) {
    this.detectors = new Detectors(setup.detectors);
    this.rescanner = new Rescanner(this.detectors, setup.rescan ?? Rescanner.tables([]));
  }

  /**
   * Rows of a JSONL file, parsed here (in the worker, not on the thread that reads the file): cell i is the record's
   * field `labels[i]` as text, the row is `event <id>`; then as run().
   */
  runLines(lines: readonly string[], labels: readonly string[], claim?: CleanClaim): RescanHit[] {
    const rows = lines.map((line): RowIn => {
      const o = JSON.parse(line) as Record<string, unknown>;
      return { id: `event ${String(o.id)}`, cells: labels.map((c) => (o[c] === null || o[c] === undefined ? null : String(o[c]))) };
    });
    return this.run(rows, labels, claim);
  }

  /** The lines of bytes [start, end) of a JSONL file, read here (whole lines only: lines.ts), then as runLines(). */
  runRange(file: string, start: number, end: number, labels: readonly string[], claim?: CleanClaim): RescanHit[] {
    return this.runLines(readLines(file, start, end), labels, claim);
  }

  /** `labels[i]` names cell i (a column); hits are `<row id> <label>`. */
  run(rows: RowIn[], labels: readonly string[], claim?: CleanClaim): RescanHit[] {
    const hits: RescanHit[] = [];
    const masks = claim ? verifiedMasks(claim, this.detectors.fingerprint, rows.map((r) => r.cells)) : null;
    if (claim && !masks) this.stats.refused++;
    rows.forEach((row, r) => {
      const m = masks?.[r] ?? 0;
      row.cells.forEach((c, i) => {
        if (c === null) return;
        const clean = (m & (1 << i)) !== 0;
        if (clean) this.stats.skipped++; else this.stats.detected++;
        this.rescanner.scan(c, labels[i] ? `${row.id} ${labels[i]}` : row.id, hits, !clean);
      });
    });
    return hits;
  }
}
