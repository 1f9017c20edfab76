// The cases calls: create, open, list, close, timezone; and the demo case opened on first start.
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jobIsLive, zoneBusy } from '../../../shared/contract';
import type { CaseInfo } from '../../../shared/domain';
import { EngineError, type AreaHandlers, type EngineContext } from '../api';
import { canonicalZone } from '../ingest/timezone';
import { correlationPending } from '../ingest/correlationStage';
import { derivationStale, resetDerived } from '../correlate/derivation';
import { custodyPendingFiles, noteCommitted } from '../ingest/custodyStage';
import { scheduleCorrelation } from '../ingest/handlers';
import { faultPoint } from '../ingest/fault';
import { scheduleTextIndex, textIndexWanted } from '../query/handlers';
import { textIndexReady } from '../query/textIndex';
import { writeJsonAtomic } from '../util/atomic';
import { readSmallFile } from '../util/smallFile';
import { sweepStaging } from '../export/run';
import { CaseHandle } from './caseStore';
import { RETIME_ACTION, committedZone, markRetimeAudited, planRetime, retimeCase, unauditedRetime } from '../ingest/retime';
import { appFiles } from './paths';
import { MARK_PARAM, markRecorded, recordInterrupted } from '../audit/runMarks';

/** Jobs that only derive data from the events; the next open finishes what a close cancelled (extract_pending, the
 *  text index's missing groups). */
const DERIVED_JOBS = new Set(['correlate', 'text-index']);

export async function caseInfo(h: CaseHandle): Promise<CaseInfo> {
  const s = await h.db.read<{ n: string; b: string; from: string | null; to: string | null }>(
    `SELECT (SELECT count(*) FROM event_store)::VARCHAR AS n, (SELECT count(*) FROM bundles)::VARCHAR AS b,
            strftime(min(ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS "from", strftime(max(ts), '%Y-%m-%dT%H:%M:%S.%fZ') AS "to" FROM event_store`);
  const r = s[0]!;
  return {
    id: h.meta.id, name: h.meta.name, dir: h.dir, created: h.meta.created, timezone: h.meta.timezone,
    readOnly: h.readOnly, ...(h.readOnlyReason ? { readOnlyReason: h.readOnlyReason } : {}),
    eventCount: Number(r.n), bundleCount: Number(r.b),
    timeRange: r.from && r.to ? { from: r.from, to: r.to } : null,
    ...(h.meta.isDemo ? { isDemo: true } : {}), open: true,
    ...(await correlationPending(h.db).catch(() => false) ? { chainsPending: true } : {}),
    ...(await textIndexReady(h.db).catch(() => true) ? {} : { textIndexPending: true }),
  };
}

/** The zones the case already names (its own, its files'): a zone typed in another letter case is one of them. */
async function caseZones(h: CaseHandle): Promise<string[]> {
  const rows = await h.db.read<{ z: string }>('SELECT DISTINCT tz_zone AS z FROM files WHERE tz_zone IS NOT NULL ORDER BY 1').catch(() => []);
  return [h.meta.timezone.zone, ...rows.map((r) => r.z)];
}

/** Recently used case folders, newest first, kept in the user's data dir. */
async function rememberCase(dir: string): Promise<void> {
  const f = appFiles();
  const list = await recentCases();
  const next = [path.resolve(dir), ...list.filter((d) => d !== path.resolve(dir))].slice(0, 50);
  await fs.mkdir(f.home, { recursive: true, mode: 0o700 });
  await writeJsonAtomic(f.recent, next);
}

async function recentCases(): Promise<string[]> {
  // A regular file of a bound only (a pipe there hung the Cases view); anything else reads as no recent case.
  try { return JSON.parse((await readSmallFile(appFiles().recent, 4 << 20, 'the recent-cases list')).toString('utf8')) as string[]; } catch { return []; }
}

/**
 * An import cut short after its events committed left custody, identifiers or chains behind: finish them now (unless
 * a correlation job of the case is already queued or running). Derived by other rules (an upgrade): the correlation
 * job derives the case again (correlate/derivation.ts).
 */
async function finishCorrelation(ctx: EngineContext, h: CaseHandle): Promise<void> {
  if (h.readOnly || ctx.jobs.list(h.meta.id).some((j) => j.kind === 'correlate' && jobIsLive(j))) return;
  if (await correlationPending(h.db).catch(() => false) || (await custodyPendingFiles(h.db).catch(() => [])).length > 0
    || await derivationStale(h.db, h.meta.idPatterns).catch(() => false)) void scheduleCorrelation(ctx, h.meta.id).catch(() => undefined);
}

async function openCase(ctx: EngineContext, dir: string, opts: { writing?: boolean } = {}): Promise<CaseHandle> {
  const resolved = path.resolve(dir);
  const already = ctx.openCases().find((c) => c.dir === resolved);
  if (already) {
    // Opened again while open: a correlation job that failed or was cancelled is run again (the app's "Build again").
    await finishCorrelation(ctx, already);
    return already;
  }
  const h = await CaseHandle.open(resolved, { via: ctx.via, ...(opts.writing ? { writing: true } : {}) });
  // A re-time committed but killed before case.json said its zone: the case's times are the word (retime.ts).
  const zone = h.readOnly ? null : await committedZone(h.db, h.meta.timezone).catch(() => null);
  const from = h.meta.timezone.zone;
  if (zone) await h.saveMeta({ timezone: zone });
  ctx.addCase(h);
  // Its trail entry, when the kill came before it was written (after case.json too); once written, the mark goes.
  const unaudited = h.readOnly ? null : await unauditedRetime(h.db).catch(() => null);
  if (unaudited) {
    // Unless the entry naming it is written (a kill after it, before the row was cleared): once, as an import's mark.
    if (!unaudited.id || !await markRecorded(h, unaudited.id)) {
      await ctx.audit(RETIME_ACTION, { caseId: h.meta.id, from: unaudited.from, to: unaudited.to, recovered: true, ...(unaudited.id ? { [MARK_PARAM]: unaudited.id } : {}) },
        { status: 'ok', counts: { files: unaudited.files, events: unaudited.events }, message: 'a re-time committed before a kill: recorded at the next open' });
    }
    faultPoint('retime-recovered');
    await h.withWriter(markRetimeAudited);
  } else if (zone) {
    // A case killed so before the mark existed.
    await ctx.audit(RETIME_ACTION, { caseId: h.meta.id, from: [from], to: zone.zone, recovered: true }, { status: 'ok', message: 'a re-time committed before a kill: the case takes its zone' });
  }
  // An import or a pull killed before its own entry: its mark becomes an entry of its own (audit/runMarks.ts).
  await recordInterrupted(h, ctx.audit);
  await rememberCase(resolved);
  // A partial extract an export killed midway left (redacted, never re-scanned) does not wait for the next export.
  if (!h.readOnly) await sweepStaging(h.files.exports).catch(() => undefined);
  await finishCorrelation(ctx, h);
  // A case imported by the CLI (which does not wait for it), or from before the index: build it behind the operator.
  await resumeTextIndex(ctx, h);
  return h;
}

/** The text index the case lacks, built behind the operator (unless the app was started without one). */
async function resumeTextIndex(ctx: EngineContext, h: CaseHandle): Promise<void> {
  if (!h.readOnly && textIndexWanted(ctx) && !await textIndexReady(h.db).catch(() => true)) void scheduleTextIndex(ctx, h.meta.id).catch(() => undefined);
}

/** Identifiers, chains, custody and the text index a job cut short (or cancelled by preempting them) are queued again. */
async function resumeDerived(ctx: EngineContext, h: CaseHandle): Promise<void> {
  await finishCorrelation(ctx, h);
  await resumeTextIndex(ctx, h);
}

/** The demo bundle shipped in resources/ (found from the source tree or a packaged app's resources). */
export function demoBundlePath(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env.CASEFILE_RESOURCES && path.join(process.env.CASEFILE_RESOURCES, 'demo', 'demo-bundle.tar.gz'),
    path.resolve(here, '../../../resources/demo/demo-bundle.tar.gz'),
    path.resolve(here, '../../resources/demo/demo-bundle.tar.gz'),
    path.resolve(here, '../resources/demo/demo-bundle.tar.gz'),
    path.resolve(process.cwd(), 'resources/demo/demo-bundle.tar.gz'),
  ].filter(Boolean) as string[];
  return candidates.find((c) => existsSync(c)) ?? null;
}

/** Opens the demo case, creating it from the bundled demo logs on first start. */
export async function openOrCreateDemo(ctx: EngineContext): Promise<CaseHandle> {
  const dir = path.join(appFiles().cases, 'demo');
  if (!existsSync(path.join(dir, 'case.json'))) {
    const bundle = demoBundlePath();
    if (!bundle) throw new EngineError('not_found', 'The demo bundle (resources/demo/demo-bundle.tar.gz) is missing from this installation.');
    await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
    const created = await ctx.call('cases.create', { name: 'Demo: Acme incident', dir });
    const h = ctx.getCase(created.id);
    await h.saveMeta({ isDemo: true });
    await ctx.call('import.paths', { caseId: created.id, paths: [bundle] });
    return h;
  }
  return openCase(ctx, dir);
}

export const caseHandlers: AreaHandlers<'cases'> = {
  'cases.list': async (ctx) => {
    const out: CaseInfo[] = [];
    const open = new Map(ctx.openCases().map((c) => [c.dir, c]));
    for (const h of open.values()) out.push(await caseInfo(h));
    for (const dir of await recentCases()) {
      if (open.has(dir) || !existsSync(path.join(dir, 'case.json'))) continue;
      // Peek read-only without taking the lock: listing must not block another instance.
      const h = await CaseHandle.open(dir, { readOnly: true }).catch(() => null);
      if (!h) continue;
      try { out.push({ ...(await caseInfo(h)), readOnly: false, open: false }); } finally { await h.close(); }
    }
    return out;
  },
  'cases.create': async (ctx, input) => {
    const timezone = input.timezone ? canonicalZone(input.timezone) : undefined;
    const slug = input.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'case';
    const dir = input.dir ? path.resolve(input.dir) : path.join(appFiles().cases, `${slug}-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 6)}`);
    const h = await CaseHandle.create(dir, { name: input.name, ...(timezone ? { timezone } : {}) });
    ctx.addCase(h);
    await rememberCase(dir);
    return caseInfo(h);
  },
  'cases.open': async (ctx, input) => caseInfo(await openCase(ctx, input.dir, { writing: input.writing })),
  'cases.get': async (ctx, input) => caseInfo(ctx.getCase(input.caseId)),
  'cases.close': async (ctx, input) => {
    ctx.getCase(input.caseId); // a case that is not open says so
    // The operator's own work is never cut short by a close: they cancel it or wait. Derived work (identifiers and
    // chains, the text index) is cancelled and finished on the next open, as after a kill.
    const live = ctx.jobs.list(input.caseId).filter(jobIsLive);
    const own = live.find((j) => !DERIVED_JOBS.has(j.kind));
    if (own) throw new EngineError('conflict', `The case's ${own.kind} job is ${own.state}: cancel it or let it finish, then close the case.`);
    for (const j of live) ctx.jobs.cancel(j.jobId);
    await ctx.jobs.settled(input.caseId);
    await ctx.removeCase(input.caseId);
    return { ok: true };
  },
  'cases.timezonePlan': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    const plan = await planRetime(h.db, canonicalZone(input.timezone, await caseZones(h)));
    const own = [...new Set(ctx.jobs.list(input.caseId).filter((j) => jobIsLive(j) && !DERIVED_JOBS.has(j.kind)).map((j) => j.kind))];
    const busy = zoneBusy(own);
    return { ...plan, current: h.meta.timezone.zone, ...(busy ? { busy } : own.length ? { waitsFor: own } : {}) };
  },
  'cases.setTimezone': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    const zone = canonicalZone(input.timezone, await caseZones(h));
    if (h.readOnly) throw new EngineError('conflict', `The case is open read-only${h.readOnlyReason ? ` (${h.readOnlyReason})` : ''}: its zone cannot be changed.`);
    // Refused, not queued: behind an import it would re-time a case still being written, at a time nobody chose.
    const busy = zoneBusy(ctx.jobs.list(input.caseId).filter(jobIsLive).map((j) => j.kind));
    if (busy) throw new EngineError('conflict', busy);
    const before = h.meta.timezone.zone;
    const r = await ctx.jobs.run(input.caseId, 'retime', async (signal, progress) => {
      signal.throwIfAborted();
      // The operator was asked about a change from the zone they saw; another window's change may have landed since.
      const now = h.meta.timezone.zone;
      if (input.expect !== undefined && now !== input.expect) {
        throw new EngineError('conflict', `The site timezone was changed to ${now} since the change from ${input.expect} was asked (another window?): the zone is not changed. Check the change again.`);
      }
      progress({ phase: 'retime', done: 0, total: 1, unit: 'items', message: `re-timing to ${zone}` });
      const res = await h.withWriter((db) => retimeCase(db, zone, {
        resetDerived, signal, onStep: (key, message) => progress({ phase: `retime-${key}`, done: 0, total: 1, unit: 'items', message }),
      }));
      faultPoint('retime-committed');
      // Committed with the times (the meta row): case.json follows, and a kill before this is mended at the next open.
      await h.saveMeta({ timezone: res.rule });
      // Their custody entries are this process's own, not `recovered` ones of a killed import.
      noteCommitted(h.dir, res.fileIds);
      faultPoint('retime-saved');
      if (res.fileIds.length) {
        await ctx.audit(RETIME_ACTION, { caseId: input.caseId, from: res.fileZones, to: zone, ...(res.auditMark ? { [MARK_PARAM]: res.auditMark } : {}) },
          { status: 'ok', counts: { files: res.files, events: res.events } });
        faultPoint('retime-audited');
        await h.withWriter(markRetimeAudited);
      }
      return res;
    }, {
      ...(input.jobId ? { jobId: input.jobId } : {}), preempt: true, outcome: (x) => `Re-timed ${x.events} events in ${x.files} files to ${zone}.`,
      cancelled: `The change of the site zone to ${zone} was cancelled: nothing was changed, the case keeps its zone ${before} and its times.`,
    }).catch(async (e: unknown) => {
      // Cancelled, refused or failed: the derived work its start cancelled (preempt) is queued again.
      await resumeDerived(ctx, h);
      throw e;
    });
    // Digests, audit entries, identifiers and chains of the new times, as after an import; the call returns once they are in.
    if (r.fileIds.length) await scheduleCorrelation(ctx, input.caseId);
    await resumeTextIndex(ctx, h);
    return { ...(await caseInfo(h)), retimed: { from: r.from, to: zone, files: r.files, events: r.events } };
  },
};
