// Geometry of the linked-chains waterfall: which rows show given the collapsed nodes, and each row's bar on one
// time axis shared by the whole tree.
import type { ChainTreeNode } from '../../../shared/correlation';
import { toMs } from '../../lib/time';

export interface TreeRow {
  node: ChainTreeNode;
  hasChildren: boolean;
  /** Bar from the chain's first to its last record, as fractions of the tree's span; null without times. */
  bar: { left: number; width: number } | null;
}

/** Pre-order nodes → the visible rows: a collapsed node hides everything below it. */
export function treeRows(nodes: ChainTreeNode[], collapsed: ReadonlySet<string>): { rows: TreeRow[]; t0: number; t1: number } {
  const times = nodes.flatMap((n) => [toMs(n.chain?.first), toMs(n.chain?.last)]).filter((t): t is number => t != null);
  const t0 = times.length ? Math.min(...times) : 0;
  const t1 = times.length ? Math.max(...times) : 0;
  const span = Math.max(1, t1 - t0);
  const rows: TreeRow[] = [];
  let hideBelow: number | null = null;
  nodes.forEach((node, i) => {
    if (hideBelow !== null) {
      if (node.depth > hideBelow) return;
      hideBelow = null;
    }
    const hasChildren = (nodes[i + 1]?.depth ?? -1) > node.depth;
    const a = toMs(node.chain?.first);
    const b = toMs(node.chain?.last);
    rows.push({ node, hasChildren, bar: a == null || b == null ? null : { left: (a - t0) / span, width: (b - a) / span } });
    if (hasChildren && collapsed.has(node.key)) hideBelow = node.depth;
  });
  return { rows, t0, t1 };
}
