import { describe, expect, it } from 'vitest';
import type { ChainTreeNode } from '../../../shared/correlation';
import { treeRows } from './treeLayout';

const node = (key: string, depth: number, first: string | null, last: string | null): ChainTreeNode => ({
  key, depth, parent: null, link: null,
  chain: { key, kind: 'generic', label: key, status: 'unknown', first, last, durationMs: null, sources: [], events: 1, user: null, dataset: null, failureReason: null },
});
const nodes = [
  node('flow', 0, '2023-07-06T10:00:00.000Z', '2023-07-06T10:10:00.000Z'),
  node('run1', 1, '2023-07-06T10:01:00.000Z', '2023-07-06T10:02:00.000Z'),
  node('ent', 2, null, null),
  node('run2', 1, '2023-07-06T10:05:00.000Z', '2023-07-06T10:10:00.000Z'),
];

describe('treeRows', () => {
  it('places bars on the tree\'s span and marks parents', () => {
    const { rows } = treeRows(nodes, new Set());
    expect(rows.map((r) => [r.node.key, r.hasChildren])).toEqual([['flow', true], ['run1', true], ['ent', false], ['run2', false]]);
    expect(rows[0]!.bar).toEqual({ left: 0, width: 1 });
    expect(rows[1]!.bar).toEqual({ left: 0.1, width: 0.1 });
    expect(rows[2]!.bar).toBeNull();
  });
  it('a collapsed node hides its subtree only', () => {
    expect(treeRows(nodes, new Set(['run1'])).rows.map((r) => r.node.key)).toEqual(['flow', 'run1', 'run2']);
    expect(treeRows(nodes, new Set(['flow'])).rows.map((r) => r.node.key)).toEqual(['flow']);
    // Collapsing a leaf changes nothing.
    expect(treeRows(nodes, new Set(['ent'])).rows).toHaveLength(4);
  });
});
