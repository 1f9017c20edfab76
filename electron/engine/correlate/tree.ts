// The tree of linked chains around one key (issue 16): follow links backwards to the topmost chain, then draw
// everything below it: a Prefect flow → the pipeline runs it launched → the entities they registered, a Celery
// parent → its children. Links are stored edges (chain_links), evidence or inferred; nothing is guessed here.
import type { ChainLink, ChainTree, ChainTreeNode } from '../../../shared/correlation';
import type { SqlRead } from '../store/db';
import { elapsedMs, Params } from '../store/sql';
import { UUID_RE } from './extract';
import { hasChains, SUMMARY_COLUMNS, toSummary, type SummaryRow } from './query';

/** Most chains drawn in one tree, and how deep it goes: a Celery fan-out can have hundreds of children. */
export const TREE_NODE_LIMIT = 500;
export const TREE_DEPTH_LIMIT = 12;

interface LinkRow { from_key: string; to_key: string; relation: string; inferred: boolean; rule: string; detail: string | null }
const toLink = (r: LinkRow): ChainLink => ({ from: r.from_key, to: r.to_key, relation: r.relation, inferred: r.inferred, rule: r.rule, ...(r.detail ? { detail: r.detail } : {}) });

export async function chainTree(db: SqlRead, rawKey: string): Promise<ChainTree> {
  const t0 = performance.now();
  const key = new RegExp(`^${UUID_RE}$`).test(rawKey.trim()) ? rawKey.trim().toLowerCase() : rawKey.trim();
  if (!(await hasChains(db))) return { root: key, nodes: [], truncated: false, queryMs: elapsedMs(t0) };

  // Up: the parent of each key is its first incoming link (evidence before inference); a cycle stops the walk.
  let root = key;
  const seen = new Set([key]);
  for (let i = 0; i < TREE_DEPTH_LIMIT; i++) {
    const [up] = await db.read<{ from_key: string }>(
      `SELECT from_key FROM chain_links WHERE to_key = $1 AND from_key <> to_key ORDER BY inferred, relation, from_key LIMIT 1`, [root]);
    if (!up || seen.has(up.from_key)) break;
    seen.add(up.from_key);
    root = up.from_key;
  }

  // Down: breadth first, one query per level; a key reached twice is drawn once, under its first parent.
  const children = new Map<string, LinkRow[]>();
  const placed = new Set([root]);
  let frontier = [root];
  let truncated = false;
  for (let depth = 0; frontier.length && depth < TREE_DEPTH_LIMIT; depth++) {
    const p = new Params();
    const rows = await db.read<LinkRow>(
      `SELECT DISTINCT from_key, to_key, relation, inferred, rule, detail FROM chain_links
       WHERE from_key IN (${p.list(frontier)}) AND from_key <> to_key ORDER BY from_key, inferred, relation, to_key`, p.values);
    const next: string[] = [];
    for (const r of rows) {
      if (placed.has(r.to_key)) continue;
      if (placed.size >= TREE_NODE_LIMIT) { truncated = true; break; }
      placed.add(r.to_key);
      next.push(r.to_key);
      children.set(r.from_key, [...(children.get(r.from_key) ?? []), r]);
    }
    frontier = next;
    if (depth === TREE_DEPTH_LIMIT - 1 && next.length) truncated = true;
  }

  const p = new Params();
  const summaries = await db.read<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM chains WHERE key IN (${p.list([...placed])})`, p.values);
  const byKey = new Map(summaries.map((r) => [r.key, toSummary(r)]));
  // Pre-order, children by their first time (then key): the order a waterfall is read in.
  const startOf = (k: string) => byKey.get(k)?.first ?? '\uffff';
  const nodes: ChainTreeNode[] = [];
  const visit = (k: string, depth: number, parent: string | null, link: ChainLink | null) => {
    nodes.push({ key: k, depth, parent, chain: byKey.get(k) ?? null, link });
    const kids = [...(children.get(k) ?? [])].sort((a, b) => startOf(a.to_key).localeCompare(startOf(b.to_key)) || a.to_key.localeCompare(b.to_key));
    for (const c of kids) visit(c.to_key, depth + 1, k, toLink(c));
  };
  visit(root, 0, null, null);
  // A chain linked to nothing (or a key that is no chain): no tree to draw.
  if (nodes.length === 1) return { root, nodes: [], truncated: false, queryMs: elapsedMs(t0) };
  return { root, nodes, truncated, queryMs: elapsedMs(t0) };
}
