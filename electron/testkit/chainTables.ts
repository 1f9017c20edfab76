// The chain tables of two cases compared row for row: chains built another way (in key-range parts, under a tight
// memory limit) must hold exactly what a plain build holds, and enough rows for the comparison to mean something.
import { expect } from 'vitest';
import { CHAIN_TABLES } from '../engine/correlate/chains';
import { compareCases, IMPORT_TABLES } from './compareCases';

export async function expectSameChainTables(a: string, b: string, atLeast: { links: number; rows: number }): Promise<void> {
  const diff = await compareCases(a, b, Object.fromEntries(CHAIN_TABLES.map((t) => [t, IMPORT_TABLES[t]!])));
  for (const t of CHAIN_TABLES) {
    expect(diff[t]!.rows, `${t} has rows`).toBeGreaterThan(t === 'chain_links' ? atLeast.links : atLeast.rows);
    expect(diff[t], t).toMatchObject({ onlyA: 0, onlyB: 0 });
  }
}
