// Saved views live in case.json (`savedViews`), written through the case handle: the database stays read-only at rest.
import { SavedView } from '../../../shared/contract';
import type { CaseHandle } from '../case/caseStore';

/** The case's saved views; entries that no longer match the schema (an older or hand-edited case.json) are skipped. */
export function listViews(handle: CaseHandle): SavedView[] {
  return handle.meta.savedViews.flatMap((v) => {
    const r = SavedView.safeParse(v);
    return r.success ? [r.data] : [];
  });
}

/** Adds the view, or replaces the one with the same name in place. */
export async function saveView(handle: CaseHandle, view: SavedView): Promise<SavedView[]> {
  const views = listViews(handle);
  const at = views.findIndex((v) => v.name === view.name);
  if (at >= 0) views[at] = view; else views.push(view);
  await handle.saveMeta({ savedViews: views });
  return views;
}

/** Removes the view by name; removing a view that is not there is not an error (the list is returned either way). */
export async function deleteView(handle: CaseHandle, name: string): Promise<SavedView[]> {
  const views = listViews(handle).filter((v) => v.name !== name);
  await handle.saveMeta({ savedViews: views });
  return views;
}
