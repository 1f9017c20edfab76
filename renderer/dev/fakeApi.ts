// Dev-only in-memory engine for visual checks of the UI (`vite` dev server with `?fake`). Never bundled in
// production: main.tsx imports it behind import.meta.env.DEV. Behaviour follows the contract loosely.
import type { Api, CallInput, SavedView } from '../../shared/contract';
import { LEVELS, type CaseInfo, type EventFilter, type EventRow, type Cursor } from '../../shared/domain';
import type { ChainSummary } from '../../shared/correlation';
import type { Client } from '../api/client';

const SOURCES = ['dashboard', 'celery', 'system', 'taskblade', 'pipeline', 'prefect'];
const T0 = Date.parse('2023-07-30T00:00:00Z');
type Ev = EventRow & { fields: Record<string, unknown>; raw: string };

function rng(seed: number) { return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648); }

function makeEvents(): Ev[] {
  const r = rng(7);
  const out: Ev[] = [];
  const tasks = Array.from({ length: 30 }, (_, i) => `3f2b8c1e-9a7d-4e5f-8b2a-${String(100000000000 + i * 7919).slice(0, 12)}`);
  for (let i = 0; i < 6000; i++) {
    const burst = i % 7 === 0 ? 3_600_000 + r() * 600_000 : r() * 7_200_000;
    const ts = T0 + burst;
    const source = SOURCES[Math.floor(r() * SOURCES.length)]!;
    const lv = r();
    const level = lv < 0.04 ? 'ERROR' : lv < 0.05 ? 'CRITICAL' : lv < 0.15 ? 'WARNING' : lv < 0.75 ? 'INFO' : 'DEBUG';
    const task = tasks[Math.floor(r() * tasks.length)]!;
    const user = ['alice', 'bob', 'carol'][Math.floor(r() * 3)]!;
    const message = level === 'ERROR'
      ? `Task enrich.run[${task}] raised unexpected: ValueError('bad row')\nTraceback (most recent call last):\n  File "tasks.py", line 42, in run\nValueError: bad row`
      : `Task enrich.run[${task}] step ${i % 13} for ${user}`;
    const fields = { user, dataset: `ds_${i % 5}`, funcName: ['run', 'load', 'poll'][i % 3], task_id: task, meta: '{"rows": 12, "ok": true}' };
    out.push({
      id: 0, ts: new Date(ts).toISOString(), tsText: new Date(ts).toISOString(), source, file: `/logs/${source}/app.log`, line: i + 1, lineCount: 1,
      level, logger: `enrich.${source}`, message, parseStatus: i % 97 === 0 ? 'unparsed' : 'ok', bundle: 'b1', fields,
      raw: JSON.stringify({ ts, level, message, ...fields }),
    });
  }
  out.sort((a, b) => (a.ts! < b.ts! ? -1 : 1));
  out.forEach((e, i) => { e.id = i + 1; });
  return out;
}

const EVENTS = makeEvents();
const CASE: CaseInfo = {
  id: 'demo', name: 'Demo case', dir: '/tmp/demo', created: '2023-07-30T00:00:00Z', readOnly: false, isDemo: true,
  timezone: { zone: 'Asia/Kolkata', how: 'inferred', evidence: 'system.log carries both' }, eventCount: EVENTS.length, bundleCount: 1,
  timeRange: { from: EVENTS[0]!.ts!, to: EVENTS[EVENTS.length - 1]!.ts! },
};

function match(e: Ev, f: EventFilter): boolean {
  if (f.sources?.length && !f.sources.includes(e.source)) return false;
  if (f.levels?.length && !f.levels.includes(e.level as never)) return false;
  if (f.from && e.ts! < f.from) return false;
  if (f.to && e.ts! >= f.to) return false;
  if (f.text) {
    if (f.regex) { if (!new RegExp(f.text).test(e.message ?? '')) return false; } else if (!(e.message ?? '').includes(f.text)) return false;
  }
  for (const ff of f.fields ?? []) if ((String(e.fields[ff.field]) === ff.value) === !!ff.negate) return false;
  return true;
}
const cmp = (e: Ev, c: Cursor) => (e.ts! < c.ts! ? -1 : e.ts! > c.ts! ? 1 : e.id - c.id);
const row = (e: Ev, extra?: string[]): EventRow => {
  const { fields, raw: _raw, ...r } = e;
  return extra?.length ? { ...r, extra: Object.fromEntries(extra.map((k) => [k, fields[k] == null ? null : String(fields[k])])) } : r;
};

function chains(): ChainSummary[] {
  const by = new Map<string, Ev[]>();
  for (const e of EVENTS) { const k = String(e.fields.task_id); by.set(k, [...(by.get(k) ?? []), e]); }
  return [...by.entries()].map(([key, evs]) => ({
    key, kind: 'celery_task', label: `enrich.run[${key.slice(0, 8)}]`, status: evs.some((e) => e.level === 'ERROR') ? 'failure' : 'success',
    first: evs[0]!.ts, last: evs[evs.length - 1]!.ts, durationMs: Date.parse(evs[evs.length - 1]!.ts!) - Date.parse(evs[0]!.ts!),
    sources: [...new Set(evs.map((e) => e.source))], events: evs.length, user: String(evs[0]!.fields.user), dataset: String(evs[0]!.fields.dataset),
    failureReason: evs.findLast((e) => e.level === 'ERROR')?.message ?? null,
  }));
}

let views: SavedView[] = [];
const wait = <T,>(v: T) => new Promise<T>((res) => setTimeout(() => res(v), 30));

const impl = {
  'app.info': () => ({ version: '0.1.0-dev', commit: 'fake', mode: 'browser' as const, operator: 'dev', defaultCaseId: 'demo' }),
  'formats.list': () => [],
  'cases.list': () => [CASE],
  'cases.create': (i: CallInput<'cases.create'>) => ({ ...CASE, id: 'new', name: i.name, eventCount: 0, bundleCount: 0, timeRange: null, isDemo: false }),
  'cases.open': () => CASE, 'cases.get': () => CASE, 'cases.close': () => ({ ok: true }), 'cases.setTimezone': (i: CallInput<'cases.setTimezone'>) => ({ ...CASE, timezone: { zone: i.timezone, how: 'operator', evidence: 'set by the operator' }, retimed: { from: [CASE.timezone.zone], to: i.timezone, files: 3, events: 1200 } }),
  'cases.timezonePlan': (i: CallInput<'cases.timezonePlan'>) => ({ to: i.timezone, from: [CASE.timezone.zone], files: 3, events: 1200, blocked: { files: 0, examples: [] }, current: CASE.timezone.zone }),
  'import.paths': () => ({ bundles: [], files: [], timezone: CASE.timezone, seconds: 0 }),
  'events.sources': () => SOURCES.map((s) => {
    const evs = EVENTS.filter((e) => e.source === s);
    return { source: s, count: evs.length, from: evs[0]?.ts ?? null, to: evs[evs.length - 1]?.ts ?? null };
  }),
  'events.histogram': (i: CallInput<'events.histogram'>) => {
    const from = Date.parse(i.range?.from ?? CASE.timeRange!.from), to = Date.parse(i.range?.to ?? CASE.timeRange!.to) + 1;
    const bucketMs = (to - from) / i.buckets;
    const lanes = SOURCES.map((s) => ({ source: s, total: 0, counts: Array.from({ length: i.buckets }, () => Array(LEVELS.length + 1).fill(0) as number[]) }));
    for (const e of EVENTS) {
      if (!match(e, i.filter)) continue;
      const t = Date.parse(e.ts!);
      if (t < from || t >= to) continue;
      const lane = lanes[SOURCES.indexOf(e.source)]!;
      const li = LEVELS.indexOf(e.level as never);
      lane.counts[Math.floor((t - from) / bucketMs)]![li < 0 ? LEVELS.length : li]! += 1;
      lane.total++;
    }
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucketMs, buckets: i.buckets, lanes, untimed: 0, queryMs: 4 };
  },
  'events.page': (i: CallInput<'events.page'>) => {
    const all = EVENTS.filter((e) => match(e, i.filter));
    let rows: Ev[];
    if (i.after) rows = all.filter((e) => cmp(e, i.after!) > 0).slice(0, i.limit);
    else if (i.before) { const b = all.filter((e) => cmp(e, i.before!) < 0); rows = b.slice(Math.max(0, b.length - i.limit)); }
    else rows = all.slice(0, i.limit);
    const first = rows[0], last = rows[rows.length - 1];
    return {
      rows: rows.map((e) => row(e, i.extraFields)), total: all.length, queryMs: 7,
      next: last && all[all.length - 1] !== last ? { ts: last.ts, id: last.id } : null,
      prev: first && all[0] !== first ? { ts: first.ts, id: first.id } : null,
    };
  },
  'events.get': (i: CallInput<'events.get'>) => {
    const e = EVENTS[i.id - 1]!;
    const same = EVENTS.filter((x) => x.file === e.file);
    const k = same.indexOf(e);
    return { ...row(e), fields: e.fields, raw: e.raw, tzRule: 'Asia/Kolkata (inferred)', prevId: same[k - 1]?.id ?? null, nextId: same[k + 1]?.id ?? null };
  },
  'events.fieldNames': () => ['user', 'dataset', 'funcName', 'task_id', 'meta'].map((f) => ({ field: f, count: EVENTS.length })),
  'events.fieldValues': (i: CallInput<'events.fieldValues'>) => {
    const m = new Map<string, number>();
    for (const e of EVENTS) if (match(e, i.filter)) { const v = String(e.fields[i.field] ?? ''); m.set(v, (m.get(v) ?? 0) + 1); }
    return { field: i.field, values: [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count).slice(0, i.limit), queryMs: 3 };
  },
  'events.around': (i: CallInput<'events.around'>) => {
    const c = EVENTS[i.id - 1]!;
    const t = Date.parse(c.ts!);
    const near = EVENTS.filter((e) => Math.abs(Date.parse(e.ts!) - t) <= i.seconds * 1000);
    return { center: row(c), groups: SOURCES.map((s) => { const evs = near.filter((e) => e.source === s); return { source: s, events: evs.slice(0, i.perSource).map((e) => row(e)), total: evs.length }; }).filter((g) => g.total) };
  },
  'views.list': () => views,
  'views.save': (i: CallInput<'views.save'>) => (views = [...views.filter((v) => v.name !== i.view.name), i.view]),
  'views.delete': (i: CallInput<'views.delete'>) => (views = views.filter((v) => v.name !== i.name)),
  'chains.list': (i: CallInput<'chains.list'>) => {
    const cs = chains().filter((c) => (!i.statuses?.length || i.statuses.includes(c.status)) && (!i.text || c.key.includes(i.text)));
    return { chains: cs.slice(i.offset ?? 0, (i.offset ?? 0) + i.limit), total: cs.length, queryMs: 12 };
  },
  'chains.trace': (i: CallInput<'chains.trace'>) => {
    const evs = EVENTS.filter((e) => e.fields.task_id === i.key || (e.message ?? '').includes(i.key));
    return { chain: chains().find((c) => c.key === i.key) ?? null, events: evs.map((e) => row(e)), queryMs: 5,
      links: [{ from: i.key, to: 'run_enrich', relation: 'launched by', inferred: true, rule: 'prefect run_<app> window contains pipeline start' }] };
  },
  'chains.identifiers': (i: CallInput<'chains.identifiers'>) => {
    const e = EVENTS.find((x) => x.id === i.eventId);
    if (!e) return { identifiers: [] };
    const task = String(e.fields.task_id);
    return { identifiers: [
      { kind: 'celery_task', value: task, foundIn: 'task_id', role: 'key' as const, chain: { key: task, kind: 'celery_task' as const } },
      ...(['user', 'dataset'] as const).map((k) => ({ kind: k, value: String(e.fields[k]), foundIn: k, role: 'facet' as const, chain: null })),
    ] };
  },
  'audit.list': () => Array.from({ length: 12 }, (_, k) => ({
    seq: k + 1, time: new Date(T0 + k * 60000).toISOString(), operator: 'dev', host: 'laptop', action: ['case.open', 'import', 'query'][k % 3]!,
    params: { k }, result: { status: 'ok' as const }, via: 'browser', appVersion: '0.1.0', hash: `${k}`.padStart(64, 'a'),
  })),
  'audit.verify': () => ({ ok: true, entries: 12, headHash: 'a'.repeat(64), firstBroken: null, tornTail: false, verifiedAt: new Date().toISOString() }),
  'case.verify': () => ({ ok: true, filesChecked: 6, problems: [], verifiedAt: new Date().toISOString() }),
} as Record<string, (i: never) => unknown>;

export function fakeClient(): Client {
  const api = Object.fromEntries(Object.entries(impl).map(([k, f]) => [k, (i: never) => wait(f(i))])) as unknown as Api;
  return { api, transport: 'browser', on: () => () => undefined, upload: null, pathForFile: null };
}
