// Contract calls about the app, formats, cases and import.
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseInfo } from '../../../shared/domain';
import { EngineError, type EngineContext, type HandlerMap } from '../api';
import { appInfo, currentOperator } from '../audit/appInfo';
import { IMPORT_FILES_ACTION, IMPORT_FILES_PER_ENTRY } from '../audit/custody';
import { FORMATS, formatInfo } from '../formats/registry';
import { importPaths } from '../ingest/importer';
import { isValidZone } from '../ingest/timezone';
import { afterBatchImported, afterImportFinished } from '../correlate/ingestHooks';
import { runReadOnlySql } from '../store/readonlySql';
import { writeJsonAtomic } from '../util/atomic';
import { CaseHandle } from './caseStore';
import { appFiles } from './paths';

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
    ...(h.meta.isDemo ? { isDemo: true } : {}),
  };
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
  try { return JSON.parse(await fs.readFile(appFiles().recent, 'utf8')) as string[]; } catch { return []; }
}

async function openCase(ctx: EngineContext, dir: string): Promise<CaseHandle> {
  const resolved = path.resolve(dir);
  const already = ctx.openCases().find((c) => c.dir === resolved);
  if (already) return already;
  const h = await CaseHandle.open(resolved, { via: ctx.via });
  ctx.addCase(h);
  await rememberCase(resolved);
  return h;
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
export async function openOrCreateDemo(ctx: EngineContext, engine: { invoke(n: string, i: unknown): Promise<unknown> }): Promise<CaseHandle> {
  const dir = path.join(appFiles().cases, 'demo');
  if (!existsSync(path.join(dir, 'case.json'))) {
    const bundle = demoBundlePath();
    if (!bundle) throw new EngineError('not_found', 'The demo bundle (resources/demo/demo-bundle.tar.gz) is missing from this installation.');
    await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
    const created = (await engine.invoke('cases.create', { name: 'Demo: Acme incident', dir })) as { id: string };
    const h = ctx.getCase(created.id);
    await h.saveMeta({ isDemo: true });
    await engine.invoke('import.paths', { caseId: created.id, paths: [bundle] });
    return h;
  }
  return openCase(ctx, dir);
}

export const caseHandlers: HandlerMap = {
  'app.info': async (ctx) => {
    const [app, op] = await Promise.all([appInfo(), currentOperator()]);
    return {
      version: app.version, commit: app.commit, mode: ctx.via === 'electron' ? 'electron' : 'browser',
      operator: op.name || op.osUser, defaultCaseId: ctx.openCases()[0]?.meta.id ?? null,
    };
  },
  'formats.list': async () => FORMATS.map(formatInfo),

  'cases.list': async (ctx) => {
    const out: CaseInfo[] = [];
    const open = new Map(ctx.openCases().map((c) => [c.dir, c]));
    for (const h of open.values()) out.push(await caseInfo(h));
    for (const dir of await recentCases()) {
      if (open.has(dir) || !existsSync(path.join(dir, 'case.json'))) continue;
      // Peek read-only without taking the lock: listing must not block another instance.
      const h = await CaseHandle.open(dir, { readOnly: true }).catch(() => null);
      if (!h) continue;
      try { out.push({ ...(await caseInfo(h)), readOnly: false }); } finally { await h.close(); }
    }
    return out;
  },
  'cases.create': async (ctx, input) => {
    if (input.timezone && !isValidZone(input.timezone)) throw new EngineError('invalid_input', `Unknown timezone "${input.timezone}".`);
    const slug = input.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'case';
    const dir = input.dir ? path.resolve(input.dir) : path.join(appFiles().cases, `${slug}-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 6)}`);
    const h = await CaseHandle.create(dir, { name: input.name, ...(input.timezone ? { timezone: input.timezone } : {}) });
    ctx.addCase(h);
    await rememberCase(dir);
    return caseInfo(h);
  },
  'cases.open': async (ctx, input) => caseInfo(await openCase(ctx, input.dir)),
  'cases.get': async (ctx, input) => caseInfo(ctx.getCase(input.caseId)),
  'cases.close': async (ctx, input) => { await ctx.removeCase(input.caseId); return { ok: true }; },
  'cases.setTimezone': async (ctx, input) => {
    if (!isValidZone(input.timezone)) throw new EngineError('invalid_input', `Unknown timezone "${input.timezone}": use an IANA name such as Asia/Kolkata or an offset such as +05:30.`);
    const h = ctx.getCase(input.caseId);
    await h.saveMeta({ timezone: { zone: input.timezone, how: 'operator', evidence: 'set by the operator; applies to files imported from now on' } });
    return caseInfo(h);
  },

  'import.paths': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    const paths = input.paths.map((p) => (p.startsWith('~/') ? path.join(os.homedir(), p.slice(2)) : p));
    return importPaths(h, paths, {
      ...(input.formatOverrides ? { formatOverrides: input.formatOverrides } : {}),
      ...(input.jobId ? { jobId: input.jobId } : {}),
      onProgress: (p) => ctx.emit('import.progress', p),
      hooks: {
        afterBatch: (db, ids) => afterBatchImported(db, ids, { ...(h.meta.idPatterns ? { idPatterns: h.meta.idPatterns } : {}) }),
        afterImport: (db) => afterImportFinished(db),
        auditFiles: async (bundle, files) => {
          for (let i = 0; i < files.length; i += IMPORT_FILES_PER_ENTRY) {
            const part = files.slice(i, i + IMPORT_FILES_PER_ENTRY);
            await ctx.audit(IMPORT_FILES_ACTION, { caseId: input.caseId, bundle, files: part },
              { status: 'ok', counts: { files: part.length, records: part.reduce((n, f) => n + f.records, 0) } });
          }
        },
      },
    });
  },

  'events.sql': async (ctx, input) => runReadOnlySql(ctx.getCase(input.caseId).db, input.sql, input.limit ?? 10_000),
};
