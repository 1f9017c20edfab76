// Redacting a batch of rows (every column of each): the unit of work of one worker, also used inline.
import { Detectors, type DetectorOptions } from './detect';
import { type MapEntry, Pseudonymizer } from './pseudonym';
import { Redactor } from './redactor';
import { Rescanner, type RescanHit } from './rescan';

export interface RowIn { id: string; cells: (string | null)[] }
export interface BatchResult {
  rows: (string | null)[][];
  byType: [string, number][];
  byRule: [string, number][];
  /** Replaced originals with their kind: only ever kept in memory for the re-scan. */
  originals: [string, 'secret' | 'pii'][];
  map: MapEntry[];
}

export interface RedactSetup {
  detectors: DetectorOptions;
  /** The pseudonym key (a redaction pool only; never sent to a re-scan pool). */
  key?: Uint8Array;
  lengths?: [string, number][];
  /** Set for a re-scan pool: the replaced originals with their kind (the workers then scan instead of redacting). */
  rescan?: [string, 'secret' | 'pii'][];
}

export class BatchRedactor {
  private readonly detectors: Detectors;

  constructor(private readonly setup: RedactSetup) {
    this.detectors = new Detectors(setup.detectors);
  }

  run(rows: RowIn[]): BatchResult {
    const r = new Redactor(this.detectors, new Pseudonymizer(Buffer.from(this.setup.key ?? []), new Map(this.setup.lengths ?? [])));
    const out = rows.map((row) => row.cells.map((c) => (c === null ? null : r.redact(c, row.id).text)));
    return {
      rows: out,
      byType: [...r.counts.byType],
      byRule: [...r.counts.byRule],
      originals: [...r.originals],
      map: r.pseudonyms.entries(),
    };
  }
}

/** The re-scan's unit of work: each cell of each row checked; a hit names the row id and the cell's label. */
export class BatchScanner {
  private readonly rescanner: Rescanner;

  constructor(setup: RedactSetup) {
    this.rescanner = new Rescanner(new Detectors(setup.detectors), new Map(setup.rescan ?? []));
  }

  /** `labels[i]` names cell i (a column); hits are `<row id> <label>`. */
  run(rows: RowIn[], labels: readonly string[]): RescanHit[] {
    const hits: RescanHit[] = [];
    for (const row of rows) row.cells.forEach((c, i) => { if (c !== null) this.rescanner.scan(c, labels[i] ? `${row.id} ${labels[i]}` : row.id, hits); });
    return hits;
  }
}
