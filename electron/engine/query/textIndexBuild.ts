// Building the text index (textIndex.ts reads it): for every group of blocks, one row per gram present, holding
// the bitmap of the group's blocks whose records contain it. Built one group at a time from `raw` streamed in id
// order, so memory stays at one group's bitmaps whatever the case's size; each group lands in one transaction
// together with the index's meta row, so a crash leaves the index as it was before that group, never a wrong one.
// A later import adds ids above the covered one: only the last, partial group is rebuilt and new groups added.
// A group's bitmaps are computed on the case's reads, at rest, and the writer is taken only to store them: holding
// it for the whole build (26–95 s per GB) kept the SQL door busy and counts unmemoised that long after each open.
import { DuckDBBitValue, type DuckDBConnection } from '@duckdb/node-api';
import type { CaseDb, SqlRead } from '../store/db';
import { withAppender } from '../store/appender';
import { EngineError } from '../util/errors';
import { BLOCK_IDS, GRAM_SPACE, GRAMS_PER_UNIT, gramsInto, GROUP_BLOCKS, GROUP_IDS, TEXT_INDEX_VERSION } from './textGrams';
import { eventsUpTo, hasGramTable, readTextIndexMeta, stillCovers, TEXT_GRAMS, TEXT_INDEX_KEY, type TextIndexMeta } from './textIndex';

export interface TextIndexBuilt { groups: number; covered: number; seconds: number; bytes: number; rows: number }

/** Bytes of one stored bitmap (DuckDB BIT: one byte of padding count, then the bits, first block in the top bit). */
const SLOT = 1 + GROUP_BLOCKS / 8;

/** What the build needs of a case (CaseHandle): its reads, and the writer for a moment per group. */
export interface IndexedCase {
  readonly db: SqlRead & { withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> };
  withWriter<T>(fn: (db: CaseDb) => Promise<T>): Promise<T>;
}

/** Brings the case's text index up to date (nothing to do when it covers every event). */
export async function buildTextIndex(c: IndexedCase, opts: { signal?: AbortSignal; progress?: (done: number, total: number) => void } = {}): Promise<TextIndexBuilt> {
  const t0 = performance.now();
  const [m] = await c.db.read<{ hi: string | null }>('SELECT max(id)::VARCHAR AS hi FROM event_store');
  const maxId = m?.hi == null ? -1 : Number(m.hi);
  const state = await usableMeta(c.db);
  let covered = state?.covered ?? -1;
  let reset = !state;
  const first = Math.floor((covered + 1) / GROUP_IDS);
  const last = Math.floor(maxId / GROUP_IDS);
  const slotOf = new Int32Array(GRAM_SPACE);
  let groups = 0;
  for (let g = first; maxId > covered && g <= last; g++) {
    opts.signal?.throwIfAborted();
    const lo = g * GROUP_IDS;
    const hi = Math.min(lo + GROUP_IDS - 1, maxId);
    const pool = await groupBitmaps(c.db, lo, hi, slotOf, opts.signal);
    const seen = await eventsUpTo(c.db, hi);
    opts.signal?.throwIfAborted();
    await c.withWriter(async (db) => {
      await db.run(`CREATE TABLE IF NOT EXISTS ${TEXT_GRAMS} (grp INTEGER, gram INTEGER, bits BIT)`);
      await db.freshTemp('text_grams_stage', 'gram INTEGER, bits BIT');
      await withAppender(db, 'text_grams_stage', (app) => {
        for (let gram = 0; gram < GRAM_SPACE; gram++) {
          const s = slotOf[gram]!;
          if (s < 0) continue;
          app.appendInteger(gram);
          app.appendBit(new DuckDBBitValue(pool.slice(s * SLOT, (s + 1) * SLOT)));
          app.endRow();
        }
      });
      await db.tx(async () => {
        // The events the bitmaps were computed from, unless an import or a repair came between the read and now.
        const events = await eventsUpTo(db, hi);
        if (events !== seen) throw new EngineError('conflict', 'The events changed while the text index was being built; it is built again on the next open.');
        await db.run(reset ? `DELETE FROM ${TEXT_GRAMS}` : `DELETE FROM ${TEXT_GRAMS} WHERE grp >= ${g}`);
        await db.run(`INSERT INTO ${TEXT_GRAMS} SELECT ${g}, gram, bits FROM text_grams_stage ORDER BY gram`);
        const meta: TextIndexMeta = { version: TEXT_INDEX_VERSION, blockIds: BLOCK_IDS, groupBlocks: GROUP_BLOCKS, covered: hi, events };
        await db.run(`INSERT OR REPLACE INTO meta VALUES ('${TEXT_INDEX_KEY}', $1)`, [JSON.stringify(meta)]);
      });
      await db.run('DROP TABLE IF EXISTS text_grams_stage');
    });
    reset = false;
    covered = hi;
    groups++;
    opts.progress?.(g - first + 1, last - first + 1);
  }
  const [size] = await hasGramTable(c.db) ? await c.db.read<{ rows: string }>(`SELECT count(*)::VARCHAR AS rows FROM ${TEXT_GRAMS}`) : [];
  const rows = Number(size?.rows ?? 0);
  // Uncompressed: a bitmap and its two integers per row (DuckDB stores it about so: bitmaps hardly compress).
  return { groups, covered, seconds: (performance.now() - t0) / 1000, rows, bytes: rows * (SLOT + 8) };
}

/** The stored index's meta when it can be extended: same layout, and no event below its covered id came or went. */
async function usableMeta(db: SqlRead): Promise<TextIndexMeta | null> {
  const meta = await readTextIndexMeta(db);
  return meta && await stillCovers(db, meta) ? meta : null;
}

/**
 * The group's bitmaps: `slotOf[gram]` is the gram's slot in `pool` (-1: absent), each slot SLOT bytes in DuckDB's
 * BIT layout. Records are streamed in chunks (DuckDB's vectors), never all held at once.
 */
async function groupBitmaps(reads: IndexedCase['db'], lo: number, hi: number, slotOf: Int32Array, signal?: AbortSignal): Promise<Uint8Array> {
  slotOf.fill(-1);
  let pool = new Uint8Array(SLOT * 65_536);
  let used = 0;
  let grams = new Int32Array(1 << 16);
  return reads.withConnection(async (conn) => {
    const result = await conn.stream(`SELECT id, raw FROM event_store WHERE id BETWEEN ${lo} AND ${hi}`);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      signal?.throwIfAborted();
      const ids = chunk.getColumnValues(0);
      const raws = chunk.getColumnValues(1);
      for (let r = 0; r < raws.length; r++) {
        const text = raws[r];
        if (typeof text !== 'string') continue;
        const block = Math.floor((Number(ids[r]) - lo) / BLOCK_IDS);
        const byte = 1 + (block >> 3);
        const bit = 0x80 >> (block & 7);
        if (grams.length < GRAMS_PER_UNIT * text.length) grams = new Int32Array(text.length * 2 * GRAMS_PER_UNIT);
        const n = gramsInto(text, grams);
        for (let k = 0; k < n; k++) {
          const gram = grams[k]!;
          let s = slotOf[gram]!;
          if (s < 0) {
            if ((used + 1) * SLOT > pool.length) { const grown = new Uint8Array(pool.length * 2); grown.set(pool); pool = grown; }
            s = slotOf[gram] = used++;
          }
          const at = s * SLOT + byte;
          pool[at] = pool[at]! | bit;
        }
      }
    }
    return pool;
  });
}
