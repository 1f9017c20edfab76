// Cutting a list into consecutive groups bounded by a count and a summed weight (files per statement and bytes or
// events): the import's batches, the DuckDB reader's statements and the extraction's groups all cut this way.

/**
 * `items` in order, cut into groups of at most `maxItems` whose weights sum to at most `maxWeight`; an item heavier
 * than the bound is a group of its own.
 */
export function cutGroups<T>(items: Iterable<T>, maxItems: number, maxWeight: number, weight: (item: T) => number): T[][] {
  const groups: T[][] = [];
  let cur: T[] = [];
  let sum = 0;
  for (const item of items) {
    const w = weight(item);
    if (cur.length && (cur.length >= maxItems || sum + w > maxWeight)) { groups.push(cur); cur = []; sum = 0; }
    cur.push(item);
    sum += w;
  }
  if (cur.length) groups.push(cur);
  return groups;
}
