// The operator's filter: one EventFilter that drives the timeline, the table and field value counts alike.
// The timeline's selected range is filter.from/to, so zooming narrows everything else too.
import { create } from 'zustand';
import type { EventFilter, Level } from '../../shared/domain';
import type { SavedView } from '../../shared/contract';

/** Columns that come from the row itself; any other column id is a field name fetched as extraFields. */
export const BASE_COLUMNS = ['time', 'level', 'source', 'file', 'logger', 'message'] as const;
export const DEFAULT_COLUMNS = ['time', 'level', 'source', 'file', 'message'];

export function extraFieldsOf(columns: string[]): string[] {
  return columns.filter((c) => !(BASE_COLUMNS as readonly string[]).includes(c)).slice(0, 32);
}

type FieldFilter = NonNullable<EventFilter['fields']>[number];

interface FilterState {
  filter: EventFilter;
  /** The search box's mode. Kept apart from filter.regex (which only means something with text), so the box stays
   * ticked while the search is empty and the next pattern runs as a regex. */
  regex: boolean;
  columns: string[];
  /** Column widths the operator dragged, in px, by column id (the rest keep their default width). */
  sizes: Record<string, number>;
  setSources(sources: string[]): void;
  toggleSource(source: string): void;
  toggleLevel(level: Level): void;
  setLevels(levels: Level[]): void;
  setText(text: string, regex?: boolean): void;
  setRegex(regex: boolean): void;
  addField(f: FieldFilter): void;
  removeField(index: number): void;
  setRange(from: string | undefined, to: string | undefined): void;
  clearKey(key: keyof EventFilter): void;
  clearAll(): void;
  setColumns(columns: string[]): void;
  toggleColumn(id: string): void;
  /** Moves column `id` to just before `before` (to the end when `before` is null). */
  moveColumn(id: string, before: string | null): void;
  setSizes(sizes: Record<string, number>): void;
  applyView(v: SavedView): void;
}

/** Drop empty members so the filter's JSON is a stable key for caching and reloads. */
export function normalise(f: EventFilter): EventFilter {
  const out: EventFilter = {};
  if (f.sources?.length) out.sources = [...f.sources].sort();
  if (f.levels?.length) out.levels = [...f.levels];
  if (f.from) out.from = f.from;
  if (f.to) out.to = f.to;
  if (f.text) { out.text = f.text; if (f.regex) out.regex = true; }
  if (f.fields?.length) out.fields = f.fields;
  if (f.files?.length) out.files = f.files;
  if (f.parseStatus?.length) out.parseStatus = f.parseStatus;
  return out;
}

export const useFilter = create<FilterState>((set, get) => {
  const patch = (p: Partial<EventFilter>) => set({ filter: normalise({ ...get().filter, ...p }) });
  return {
    filter: {},
    regex: false,
    columns: DEFAULT_COLUMNS,
    sizes: {},
    setSources(sources) { patch({ sources }); },
    toggleSource(source) {
      const cur = get().filter.sources ?? [];
      patch({ sources: cur.includes(source) ? cur.filter((s) => s !== source) : [...cur, source] });
    },
    toggleLevel(level) {
      const cur = get().filter.levels ?? [];
      patch({ levels: cur.includes(level) ? cur.filter((l) => l !== level) : [...cur, level] });
    },
    setLevels(levels) { patch({ levels }); },
    setText(text, regex) {
      const mode = regex ?? get().regex;
      set({ regex: mode });
      patch({ text, regex: mode });
    },
    setRegex(regex) {
      set({ regex });
      if (get().filter.text) patch({ regex });
    },
    addField(f) {
      const cur = get().filter.fields ?? [];
      if (cur.some((x) => x.field === f.field && x.value === f.value && !!x.negate === !!f.negate)) return;
      patch({ fields: [...cur, f] });
    },
    removeField(index) { patch({ fields: (get().filter.fields ?? []).filter((_, i) => i !== index) }); },
    setRange(from, to) { patch({ from, to }); },
    clearKey(key) {
      const f = { ...get().filter };
      delete f[key];
      if (key === 'text') delete f.regex;
      set({ filter: normalise(f) });
    },
    clearAll() { set({ filter: {} }); },
    setColumns(columns) { set({ columns: columns.length ? columns : DEFAULT_COLUMNS }); },
    toggleColumn(id) {
      const cur = get().columns;
      get().setColumns(cur.includes(id) ? cur.filter((c) => c !== id) : [...cur, id]);
    },
    moveColumn(id, before) {
      if (id === before) return;
      const rest = get().columns.filter((c) => c !== id);
      const at = before === null ? rest.length : rest.indexOf(before);
      if (at < 0) return;
      set({ columns: [...rest.slice(0, at), id, ...rest.slice(at)] });
    },
    setSizes(sizes) { set({ sizes }); },
    applyView(v) {
      set({ filter: normalise(v.filter), columns: v.columns.length ? v.columns : DEFAULT_COLUMNS, ...(v.filter.text ? { regex: !!v.filter.regex } : {}) });
    },
  };
});
