// Efficacy of the redactor on a labelled corpus: leaks, recall per type, over-redaction (clean records, hard
// negatives), pseudonym consistency, and the fail-closed re-scan over the output.
import { listValue } from '@duckdb/node-api';
import { redactionSetupFor } from '../../engine/export/setup';
import { Detectors } from '../../engine/redact/detect';
import { Harvest } from '../../engine/redact/harvest';
import { Pseudonymizer } from '../../engine/redact/pseudonym';
import { Redactor } from '../../engine/redact/redactor';
import { Rescanner, type RescanHit } from '../../engine/redact/rescan';
import { CaseDb } from '../../engine/store/db';
import { Params } from '../../engine/store/sql';
import type { Corpus, Planted } from './corpus';

export interface Efficacy {
  records: number;
  bytes: number;
  planted: { secret: number; pii: number; negative: number };
  /** Planted secrets/PII whose value (or a ≥ 12-character slice of a secret) survives in the output. */
  leaks: { type: string; context: string; file: string; record: number }[];
  recall: Record<string, { planted: number; caught: number }>;
  /** Replacements per 1,000 clean records. */
  cleanOverRedaction: number;
  negatives: Record<string, { planted: number; redacted: number }>;
  consistency: { entities: number; consistent: number; sharedTokens: number };
  rescanHits: RescanHit[];
  ms: number;
}

/** The planted value, or (a secret) any 12-character slice of it, is in the text. */
/** The tokens each planted entity got: consistent when one entity has one token and no token serves two entities. */
export class EntityTokens {
  private readonly byEntity = new Map<string, Set<string>>();
  add(entity: string, token: string): void {
    const set = this.byEntity.get(entity) ?? new Set<string>();
    set.add(token);
    this.byEntity.set(entity, set);
  }
  consistency(): Efficacy['consistency'] {
    const c = { entities: 0, consistent: 0, sharedTokens: 0 };
    const owners = new Map<string, Set<string>>();
    for (const [entity, set] of this.byEntity) {
      c.entities++;
      if (set.size === 1) c.consistent++;
      for (const t of set) owners.set(t, (owners.get(t) ?? new Set()).add(entity));
    }
    c.sharedTokens = [...owners.values()].filter((s) => s.size > 1).length;
    return c;
  }
}

export function survivesIn(p: Pick<Planted, 'kind' | 'value'>, out: string): boolean {
  const v = p.value;
  if (out.includes(v)) return true;
  if (p.kind !== 'secret' || v.length <= 12) return false;
  for (let i = 0; i + 12 <= v.length; i += 4) if (out.includes(v.slice(i, i + 12))) return true;
  return false;
}

/** What recall is reported by: gitleaks rules as one family, the structural secrets by case, PII by type. */
export const familyOf = (p: Planted) =>
  p.kind === 'secret' ? (p.entity.startsWith('gitleaks:') ? 'secret:gitleaks' : `secret:${p.type.split(':')[0]}`) : p.type;

/**
 * Pass 1 as an export runs it (export/setup.ts, the same code): the corpus's records as a case's events in DuckDB
 * and its cast's users and client ids as the case's `identifiers`, then the export's harvest over them (identifiers
 * of the harvested kinds, names under their fields, users only a /home/ path or URL userinfo names) and its rules.
 * A text record's parsed fields are not derived (a real import's are): every planted value is in the raw text, which
 * the harvest reads.
 */
async function exportSetup(corpus: Corpus): ReturnType<typeof redactionSetupFor> {
  const db = await CaseDb.open(':memory:');
  try {
    await db.run('DROP VIEW events');
    await db.run('CREATE TABLE events (id BIGINT, raw VARCHAR, fields JSON)');
    const raws = corpus.files.flatMap((f) => f.records);
    await db.run('INSERT INTO events SELECT unnest($1::BIGINT[]), unnest($2::VARCHAR[]), NULL',
      [listValue(raws.map((_, i) => BigInt(i + 1))), listValue(raws)]);
    if (corpus.harvest.length) await db.run('INSERT INTO identifiers SELECT NULL, unnest($1::VARCHAR[]), unnest($2::VARCHAR[]), NULL',
      [listValue(corpus.harvest.map((v) => v.type)), listValue(corpus.harvest.map((v) => v.value))]);
    return await redactionSetupFor({ db, meta: { idPatterns: corpus.idPatterns } }, corpus.rules, { cond: 'true', params: new Params(), describe: 'all' });
  } finally {
    db.close();
  }
}

export async function evaluate(corpus: Corpus, key = Buffer.alloc(32, 1)): Promise<Efficacy> {
  const began = performance.now();
  const { rules, idPatterns, harvest } = await exportSetup(corpus);
  const detectors = new Detectors({ rules, idPatterns, harvest });
  const redactor = new Redactor(detectors, new Pseudonymizer(key));
  const byRecord = new Map<string, Planted[]>();
  for (const p of corpus.truth) {
    const k = `${p.file}#${p.record}`;
    byRecord.set(k, [...(byRecord.get(k) ?? []), p]);
  }
  const e: Efficacy = {
    records: 0, bytes: 0, planted: { secret: 0, pii: 0, negative: 0 }, leaks: [], recall: {}, cleanOverRedaction: 0,
    negatives: {}, consistency: { entities: 0, consistent: 0, sharedTokens: 0 }, rescanHits: [], ms: 0,
  };
  const tokens = new EntityTokens();
  const outputs: [string, string][] = [];
  let clean = 0;
  let cleanRepl = 0;
  for (const f of corpus.files) {
    f.records.forEach((raw, i) => {
      e.records++;
      e.bytes += Buffer.byteLength(raw);
      const { text, replacements } = redactor.redact(raw, `${f.path}#${i}`);
      outputs.push([`${f.path}#${i}`, text]);
      const planted = byRecord.get(`${f.path}#${i}`) ?? [];
      if (planted.length === 0) { clean++; cleanRepl += replacements.length; return; }
      for (const p of planted) {
        e.planted[p.kind]++;
        const cover = replacements.find((r) => r.start <= p.start && r.end >= p.end);
        // caught: every letter and digit of the planted span is inside some replacement (user:pass may be two)
        const caught = cover !== undefined || [...raw.slice(p.start, p.end)].every((ch, k) =>
          !/[A-Za-z0-9]/.test(ch) || replacements.some((r) => r.start <= p.start + k && r.end > p.start + k));
        if (p.kind === 'negative') {
          const hit = replacements.some((r) => r.start < p.end && r.end > p.start);
          const n = (e.negatives[p.type] ??= { planted: 0, redacted: 0 });
          n.planted++;
          if (hit) n.redacted++;
          continue;
        }
        const rc = (e.recall[familyOf(p)] ??= { planted: 0, caught: 0 });
        rc.planted++;
        if (caught) rc.caught++;
        if (survivesIn(p, text)) e.leaks.push({ type: p.type, context: p.context, file: f.path, record: i });
        if (p.kind === 'pii' && cover) {
          tokens.add(p.entity, cover.token);
        }
      }
    });
  }
  e.cleanOverRedaction = clean ? (cleanRepl * 1000) / clean : 0;
  e.consistency = tokens.consistency();
  // as the export's check: personal data on the boundaries it was replaced on, secrets as substrings
  const rescanner = new Rescanner(detectors, Rescanner.tables(redactor.originals, new Harvest(harvest)));
  for (const [where, text] of outputs) rescanner.scan(text, where, e.rescanHits);
  e.ms = performance.now() - began;
  return e;
}
