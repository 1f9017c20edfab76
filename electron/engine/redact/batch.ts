// Redacting a batch of rows (every column of each): the unit of work of one worker, also used inline.
import { Detectors, type DetectorOptions } from './detect';
import { type MapEntry, Pseudonymizer } from './pseudonym';
import { Redactor } from './redactor';

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
  key: Uint8Array;
  lengths?: [string, number][];
}

export class BatchRedactor {
  private readonly detectors: Detectors;

  constructor(private readonly setup: RedactSetup) {
    this.detectors = new Detectors(setup.detectors);
  }

  run(rows: RowIn[]): BatchResult {
    const r = new Redactor(this.detectors, new Pseudonymizer(Buffer.from(this.setup.key), new Map(this.setup.lengths ?? [])));
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
