// The table's columns (which, in what order, how wide) remembered per case in local storage: a layout is the
// operator's habit for that evidence, not part of the evidence, so it stays on this machine and out of the case.
import { z } from 'zod';
import { DEFAULT_COLUMNS, useFilter } from './filter';

const Layout = z.object({
  columns: z.array(z.string().max(200)).max(64),
  sizes: z.record(z.string().max(200), z.number().min(30).max(4000)),
});
type Layout = z.infer<typeof Layout>;

export const layoutKey = (caseId: string) => `casefile.columns.${caseId}`;

/** The saved layout of a case; a missing or malformed entry gives the defaults. */
export function loadLayout(caseId: string): Layout {
  try {
    const parsed = Layout.safeParse(JSON.parse(localStorage.getItem(layoutKey(caseId)) ?? 'null'));
    if (parsed.success && parsed.data.columns.length) return parsed.data;
  } catch { /* not JSON: defaults */ }
  return { columns: DEFAULT_COLUMNS, sizes: {} };
}

/** Puts the case's layout on the table, then saves every change to it under that case. Returns the unsubscribe. */
export function followLayout(caseId: string): () => void {
  const { columns, sizes } = loadLayout(caseId);
  useFilter.setState({ columns, sizes });
  return useFilter.subscribe((s, prev) => {
    if (s.columns === prev.columns && s.sizes === prev.sizes) return;
    try { localStorage.setItem(layoutKey(caseId), JSON.stringify({ columns: s.columns, sizes: s.sizes })); } catch { /* storage full: not remembered */ }
  });
}
