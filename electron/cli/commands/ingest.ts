// `casefile import | stats | formats`: the ingest engine from the shell, over the same contract calls
// the app uses (so every action lands in the case's audit trail with via=cli).
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { FileImportResult, ImportResult } from '../../../shared/domain';
import type { CaseInfo } from '../../../shared/domain';
import { ImportDate } from '../../../shared/contract/import';
import { jobIsLive } from '../../../shared/contract/jobs';
import { Engine } from '../../engine/engine';
import { assertZone } from '../../engine/ingest/timezone';
import { retimedLine } from './timezone';
import { FORMATS, formatInfo } from '../../engine/formats/registry';
import { takeStageCpu, takeStageTimes } from '../../engine/util/stageTimes';
import { ENVELOPES, envelopeInfo } from '../../engine/formats/envelopes/registry';
import { printable } from '../../../shared/printable';
import { counted } from '../../../shared/plural';
import { fail, printJson, printTable } from '../output';
import { cancelJob, onCtrlC, wasCancelled } from '../ctrlC';
import { waitForCorrelation } from './verifyWait';
import { ReadingClock, afterStepText, importFilesText, importFraction, importStageLine, leftText } from '../../../shared/importProgress';

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * Refuses a --case that cannot be the case folder (a file) or, unless one is to be made there, holds no case. Every
 * command that takes --case says it with these words.
 */
export function checkCaseDir(dir: string, creating: boolean): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new Error(`${dir} is a file, not a case folder: give --case ${creating ? 'a folder (new or existing)' : 'the case\'s folder'}.`);
  }
  if (!creating && !existsSync(path.join(dir, 'case.json'))) throw new Error(`No case at ${dir}. Create one with: casefile import <bundle> --case ${dir}`);
}

/**
 * Opens the case in dir (creating it when asked), returning the engine and the case id. `create.check` runs before a
 * new case is made: what it refuses leaves no empty case behind.
 */
export async function withCaseEngine<T>(dir: string, fn: (engine: Engine, info: CaseInfo) => Promise<T>, create?: { name?: string; check?: (engine: Engine) => Promise<void> }, opts: { verifying?: boolean; writing?: boolean } = {}): Promise<T> {
  checkCaseDir(dir, !!create);
  const engine = await Engine.create({ via: 'cli' });
  try {
    const exists = existsSync(path.join(dir, 'case.json'));
    if (!exists) await create?.check?.(engine);
    const info = exists
      ? await engine.call('cases.open', { dir, ...(opts.writing ? { writing: true } : {}) })
      : await engine.call('cases.create', { name: create?.name ?? path.basename(path.resolve(dir)), dir });
    // Verification is what read-only cases are for (evidence on write-protected media): no notice there.
    // A command that writes fails with the same reason: said once, by its error.
    if (info.readOnly && !opts.verifying && !opts.writing) process.stderr.write(`casefile: ${printable(info.readOnlyReason ?? 'the case is open read-only')}\n`);
    // Opening a case an import left unfinished (killed, or stopped after its events) builds its identifiers and
    // chains behind the caller: a read waits for them. Verify waits for them itself, with its own words.
    if (!opts.writing && !opts.verifying) await waitForCorrelation(engine, info.id, OPEN_UNFINISHED);
    return await fn(engine, info);
  } finally {
    await engine.close();
  }
}

const OPEN_UNFINISHED = 'an earlier import of this case stopped before it finished; completing its identifiers and chains first';

function parseOverride(s: string): { format: string; glob: string } {
  const i = s.indexOf('=');
  if (i <= 0) throw new Error(`--format expects <format-id>=<glob>, got "${s}"`);
  const format = s.slice(0, i);
  if (!FORMATS.some((f) => f.id === format)) throw new Error(`Unknown format "${format}". Known: ${FORMATS.map((f) => f.id).join(', ')}`);
  return { format, glob: s.slice(i + 1) };
}

function fileRow(f: FileImportResult) {
  return {
    file: f.file, format: f.format, why: f.reason, records: f.records, malformed: f.malformed, unparsed: f.unparsed,
    untimed: f.untimed, tz: f.tzRule, from: f.from ?? '', to: f.to ?? '', status: f.aliasOf ? `alias of ${f.aliasOf.bundle}/${f.aliasOf.file} (same content)` : f.skipped ? 'already in case' : f.note ?? 'ok',
  };
}

export function registerIngestCommands(program: Command): void {
  program.command('import')
    .description('Import log bundles (folders, .tar.gz/.tgz/.tar/.zip, or files) into a case, creating it if needed')
    .argument('<paths...>', 'bundle folders, archives or log files')
    .requiredOption('--case <dir>', 'case folder (created if missing)')
    .option('--name <name>', 'case name when creating it')
    .option('--tz <zone>', 'site timezone for naive timestamps (IANA name or +05:30); default: inferred from the logs')
    .option('--format <id=glob>', 'force a format for files matching a glob (repeatable)', collect, [] as string[])
    .option('--date <YYYY-MM-DD>', 'date of the first record for stamps without a date or year (time-only, syslog); default: from envelopes, neighbouring files, else the file\'s mtime')
    .option('--json', 'print the ImportResult as JSON')
    .action(async (paths: string[], o: { case: string; name?: string; tz?: string; format: string[]; date?: string; json?: boolean }) => {
      try {
        const overrides = o.format.map(parseOverride);
        // A mistyped path, zone or date must not leave a new, empty case behind: they are checked before the case is made.
        for (const p of paths) if (!existsSync(p)) throw new Error(`Cannot read ${p}: no such file or folder.`);
        if (o.tz) assertZone(o.tz);
        if (o.date && !ImportDate.safeParse(o.date).success) throw new Error(`--date expects a date as YYYY-MM-DD, got "${o.date}"`);
        await withCaseEngine(o.case, async (engine, info) => {
          // On a case that holds events read in another zone, they are re-timed first (said on stderr: stdout is the import's).
          if (o.tz) {
            const tz = await engine.call('cases.setTimezone', { caseId: info.id, timezone: o.tz });
            if (tz.retimed.events) process.stderr.write(`${retimedLine(tz.retimed)}\n`);
          }
          // On a terminal: a bar of the whole import by bytes and its stage in words (shared/importProgress.ts), then
          // the steps of the job after the events; elsewhere only the "events ready" line (and JSON lines on request).
          const tty = !o.json && !!process.stderr.isTTY;
          const bar = tty
            ? new cliProgress.SingleBar({ format: '[{bar}] {percentage}% | {stage}', stream: process.stderr, hideCursor: true, fps: 10 }, cliProgress.Presets.shades_classic)
            : null;
          const jsonl = process.env.CASEFILE_PROGRESS === 'jsonl';
          let eventsReady = false;
          const t0 = performance.now();
          const clock = new ReadingClock();
          const off = engine.on('import.progress', (p) => {
            if (jsonl) process.stderr.write(JSON.stringify(p) + '\n');
            if (p.phase === 'done') {
              eventsReady = true;
              bar?.stop();
              const after = `${((performance.now() - t0) / 1000).toFixed(1)} s`;
              // a re-import of what the case has: no event added, so nothing to build (it said "building…" all the same)
              process.stderr.write(p.eventsCommitted
                ? `events ready after ${after}; building identifiers and chains\n`
                : `nothing new after ${after}: no event added, no identifiers or chains to build\n`);
            }
            if (!bar || p.phase === 'done' || p.phase === 'error') return;
            clock.note(performance.now(), p);
            const left = p.phase === 'parse' ? clock.left(p.bytesTotal, performance.now()) : null;
            const stage = `${importStageLine(p)}${left !== null ? ` · ${leftText(left)}` : ''}`;
            if (!bar.getTotal() || bar.getTotal() === 100) bar.start(1000, 0, { stage });
            bar.update(Math.round(1000 * importFraction(p)), { stage });
          });
          // The job after the events (custody digests, identifiers, chains): a line each time its step says something new
          // (each group of files the identifiers are built for), on a terminal: a count that stays put for minutes looks hung.
          let lastStep = '';
          const offAfter = engine.on('job.progress', (j) => {
            if (!tty || !eventsReady || j.caseId !== info.id || j.kind !== 'correlate' || !jobIsLive(j) || !j.step) return;
            const text = afterStepText(j.step);
            if (text !== lastStep) { lastStep = text; process.stderr.write(`  ${text}\n`); }
          });
          // Ctrl-C cancels the job: it stops at the next batch, what is committed stays, and the sentence says so (the
          // default SIGINT killed the process mid-batch, saying nothing). Twice quits at once.
          const jobId = `cli-import-${randomBytes(6).toString('hex')}`;
          let committed = 0;
          let phase = '';
          const offCommitted = engine.on('import.progress', (p) => { if (p.jobId === jobId) { committed = p.eventsCommitted ?? committed; phase = p.phase; } });
          const offCtrlC = onCtrlC(() => {
            bar?.stop();
            if (!eventsReady) {
              cancelJob(engine, jobId, phase === 'copy' ? 'the evidence copy after the files under way' : 'the import at the next batch');
              return;
            }
            // The events are in: what runs now is the case's correlate job (its own id), stopped at its next step.
            process.stderr.write('\ncasefile: stopping the identifiers and chains (Ctrl-C again to quit at once)\n');
            void engine.call('jobs.list', { caseId: info.id })
              .then((jobs) => Promise.all(jobs.filter((j) => j.kind === 'correlate' && jobIsLive(j)).map((j) => engine.call('jobs.cancel', { jobId: j.jobId }))))
              .catch(() => undefined);
          });
          let res: ImportResult;
          try {
            res = await engine.call('import.paths', { caseId: info.id, jobId, paths: paths.map((p) => path.resolve(p)), ...(overrides.length ? { formatOverrides: overrides } : {}), ...(o.date ? { date: o.date } : {}) });
          } catch (e) {
            if (!wasCancelled(e)) throw e;
            if (eventsReady) process.stderr.write(`casefile: stopped: all ${committed.toLocaleString('en-US')} events are in the case; its identifiers and chains are completed by the next casefile command on it (or when the app opens it).\n`);
            else if (!committed) process.stderr.write('casefile: import cancelled before any event was committed: nothing of this evidence is in the case.\n');
            else process.stderr.write(`casefile: import cancelled: the ${committed.toLocaleString('en-US')} events committed before it stay in the case; run the same import again to add the rest.\n`);
            process.exitCode = 130;
            return;
          } finally {
            offCtrlC();
            offCommitted();
            off();
            offAfter();
            bar?.stop();
          }
          if (process.env.CASEFILE_IMPORT_TIMINGS === '1') {
            process.stderr.write(`stage-times ${JSON.stringify(takeStageTimes())}\nstage-cpu ${JSON.stringify(takeStageCpu())}\n`);
          }
          if (o.json) { printJson(res); return; }
          printTable(res.files.map(fileRow));
          // Of the files this import read: those a re-import found in the case are counted apart (importFilesText).
          const sum = (k: 'malformed' | 'unparsed') => res.files.reduce((n, f) => n + (f.skipped ? 0 : f[k]), 0);
          process.stdout.write(`\n${importFilesText(res.files)} — ${counted(res.bundles.length, 'bundle')} (${res.bundles.map((b) => `${b.id}${b.reused ? ' reused' : ''}`).join(', ')}): `
            + `${sum('malformed')} malformed, ${sum('unparsed')} unparsed, in ${res.seconds.toFixed(1)} s`
            + `${res.eventsReadySeconds !== undefined ? ` (${res.firstEventsSeconds !== undefined ? `first events queryable after ${res.firstEventsSeconds.toFixed(1)} s, ` : ''}all events ready after ${res.eventsReadySeconds.toFixed(1)} s)` : ''}\n`
            + `site timezone: ${res.timezone.zone} (${res.timezone.how}: ${res.timezone.evidence})\n`
            + res.bundles.flatMap((b) => (b.from ? [`bundle ${b.id}: the contents of the archive ${b.from.bundle}/${printable(b.from.file)}\n`] : [])).join('')
            + res.bundles.flatMap((b) => (b.notes ?? []).map((n) => `left out of bundle ${b.id}: ${printable(n)}\n`)).join(''));
        }, { ...(o.name ? { name: o.name } : {}) }, { writing: true });
      } catch (e) { fail(e); }
    });

  program.command('stats')
    .description('Events per source, level and file; time range; parse problems')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'JSON output')
    .action(async (o: { case: string; json?: boolean }) => {
      try {
        await withCaseEngine(o.case, async (engine, info) => {
          const q = async (sql: string) => (await engine.call('events.sql', { caseId: info.id, sql, limit: 100_000 })).rows;
          const stats = {
            case: { name: info.name, dir: info.dir, timezone: info.timezone, events: info.eventCount, bundles: info.bundleCount, range: info.timeRange },
            bySource: await q(`SELECT source, count(*) AS events, strftime(min(ts), '%Y-%m-%dT%H:%M:%SZ') AS "from", strftime(max(ts), '%Y-%m-%dT%H:%M:%SZ') AS "to" FROM events GROUP BY 1 ORDER BY 2 DESC`),
            byLevel: await q(`SELECT coalesce(level, '(none)') AS level, count(*) AS events FROM events GROUP BY 1 ORDER BY 2 DESC`),
            byFile: await q(`SELECT bundle, path AS file, format, records, ok, malformed, unparsed, untimed, coalesce(note, '') AS note FROM files ORDER BY bundle, path`),
            problems: await q(`SELECT parse_status, count(*) AS events FROM events WHERE parse_status <> 'ok' GROUP BY 1`),
          };
          if (o.json) { printJson(stats); return; }
          process.stdout.write(`${printable(info.name)}: ${info.eventCount} events, ${counted(info.bundleCount, 'bundle')}, ${info.timeRange ? `${info.timeRange.from} → ${info.timeRange.to}` : 'no time range'}\nsite timezone: ${info.timezone.zone} (${info.timezone.how})\n\nBy source\n`);
          printTable(stats.bySource);
          process.stdout.write('\nBy level\n');
          printTable(stats.byLevel);
          process.stdout.write('\nBy file\n');
          printTable(stats.byFile);
          process.stdout.write('\nParse problems\n');
          printTable(stats.problems);
        });
      } catch (e) { fail(e); }
    });

  program.command('formats')
    .description('The known log format definitions, and the envelopes (per-line wrappers) read around them')
    .option('--json', 'JSON output: the formats, each envelope as an entry with kind "envelope"')
    .action((o: { json?: boolean }) => {
      const infos = FORMATS.map(formatInfo);
      const envelopes = ENVELOPES.map(envelopeInfo);
      if (o.json) { printJson([...infos, ...envelopes]); return; }
      printTable(infos.map((f) => ({ id: f.id, name: f.name, kind: f.kind, multiline: f.multiline, time: f.timezone, paths: f.paths.join(' '), samples: f.samples })));
      process.stdout.write('\nEnvelopes (stripped before format detection; their fields and stamp are kept)\n');
      printTable(envelopes.map((e) => ({ id: e.id, name: e.name, keeps: e.keeps.join(' '), streams: e.streams ?? '', time: e.timezone, samples: e.samples })));
    });
}
