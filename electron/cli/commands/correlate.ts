// `casefile trace | chains` (issue 4): follow one id across sources, and list the chains to find the slow and failed.
import type { Command } from 'commander';
import { ChainKind, ChainStatus, type ChainSummary, type TraceResult } from '../../../shared/correlation';
import { CHAIN_OFFSET_MAX, CHAIN_PAGE_MAX } from '../../../shared/contract/chains';
import { fmtDuration } from '../../../shared/duration';
import { printable } from '../../../shared/printable';
import { EXIT, fail, intFrom1To, intFromTo, printJson, printTable } from '../output';
import { withCaseEngine } from './ingest';

const collect = (v: string, prev: string[]) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

function oneOf<T extends string>(options: readonly T[], v: string, flag: string): T {
  if (!(options as readonly string[]).includes(v)) throw new Error(`${flag} expects one of ${options.join(', ')}, got "${v}"`);
  return v as T;
}

/** "90s", "5m", "1.5h", "250ms" or plain milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new Error(`--min-duration expects a duration such as 500ms, 90s, 5m or 1h, got "${s}"`);
  const n = Number(m[1]);
  return Math.round(n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1));
}

/** A chain's time figure is its span, as the app calls it: first record to last across every source, which can be
 *  longer than the task's own run time (Celery's "succeeded in"); the flags keep their names for scripts. */
function chainRow(c: ChainSummary) {
  return {
    key: c.key, kind: c.kind, label: c.label, status: c.status, first: c.first ?? '', span: c.durationMs === null ? '' : fmtDuration(c.durationMs),
    events: c.events, sources: c.sources.join(','), user: c.user ?? '', dataset: c.dataset ?? '', reason: c.failureReason ?? '',
  };
}

/** Keys, labels, reasons and link details come from the logs: each line is shown through printable(). */
function printTrace(t: TraceResult): void {
  const say = (s: string) => process.stdout.write(printable(s) + '\n');
  if (t.chain) {
    const c = t.chain;
    say(`${c.kind} ${c.key} (${c.label}): ${c.status}, ${c.events} events, span ${fmtDuration(c.durationMs)}`
      + ` from ${c.first ?? '?'} to ${c.last ?? '?'}; sources ${c.sources.join(', ')}`);
    if (c.failureReason) say(`  failed: ${c.failureReason}`);
  }
  const mentioned = new Map((t.mentions ?? []).map((m) => [m.eventId, m.foundIn]));
  for (const l of t.links) {
    say(`  ${l.inferred ? 'inferred' : 'evidence'}: ${l.from} ${l.relation} ${l.to} [${l.rule}]${l.detail ? ` ${l.detail}` : ''}`);
  }
  // `via`: how the record joined the chain: its own key, or a mention and where it was found.
  printTable(t.events.map((e) => ({ ts: e.ts ?? '', source: e.source, file: `${e.file}:${e.line}`, level: e.level ?? '',
    via: mentioned.has(e.id) ? `mention:${mentioned.get(e.id)}` : 'key', message: (e.message ?? '').split('\n')[0] })));
}

export function registerCorrelateCommands(program: Command): void {
  program.command('trace')
    .description('Everything that names one id (Celery task, request_id, runid, any UUID or client id), in time order; exit 2 when nothing names it')
    .argument('<id>', 'a chain key or any identifier value')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print the TraceResult as JSON')
    .action(async (id: string, o: { case: string; json?: boolean }) => {
      try {
        await withCaseEngine(o.case, async (engine, info) => {
          const t = await engine.call('chains.trace', { caseId: info.id, key: id });
          const nothing = !t.chain && !t.events.length;
          if (o.json) printJson(t);
          else if (!nothing) printTrace(t);
          // Exit 2 with or without --json, so a script tells "nothing names it" from an error (1).
          if (nothing) { process.stderr.write(`casefile: nothing in this case names "${printable(id)}"\n`); process.exitCode = EXIT.nothingFound; }
        });
      } catch (e) { fail(e); }
    });

  program.command('chains')
    .description('Correlated chains (Celery tasks, TaskBlade requests, pipeline runs, Prefect flows, ids), slowest or latest first')
    .requiredOption('--case <dir>', 'case folder')
    .option('--kind <kind>', `chain kind, repeatable or comma-separated (${ChainKind.options.join(', ')})`, collect, [] as string[])
    .option('--status <status>', `status, repeatable or comma-separated (${ChainStatus.options.join(', ')})`, collect, [] as string[])
    .option('--min-duration <d>', 'only chains whose span (first record to last, every source) is at least this long (500ms, 90s, 5m, 1h)')
    .option('--text <text>', 'key, label, user or dataset contains this')
    .option('--sort <by>', 'first (the latest first) | duration (the longest span first) | events (the most first)', 'first')
    .option('--limit <n>', `rows to show (1 to ${CHAIN_PAGE_MAX})`, intFrom1To('--limit', CHAIN_PAGE_MAX), 100)
    .option('--offset <n>', 'skip this many chains first, in the same order (the next page)', intFromTo('--offset', 0, CHAIN_OFFSET_MAX), 0)
    .option('--json', 'print the result as JSON')
    .action(async (o: { case: string; kind: string[]; status: string[]; minDuration?: string; text?: string; sort: string; limit: number; offset: number; json?: boolean }) => {
      try {
        const kinds = o.kind.map((k) => oneOf(ChainKind.options, k, '--kind'));
        const statuses = o.status.map((s) => oneOf(ChainStatus.options, s, '--status'));
        const sort = oneOf(['first', 'duration', 'events'] as const, o.sort, '--sort');
        await withCaseEngine(o.case, async (engine, info) => {
          const res = await engine.call('chains.list', {
            caseId: info.id, limit: o.limit, offset: o.offset, sort,
            ...(kinds.length ? { kinds } : {}), ...(statuses.length ? { statuses } : {}),
            ...(o.minDuration ? { minDurationMs: parseDuration(o.minDuration) } : {}), ...(o.text ? { text: o.text } : {}),
          });
          if (o.json) { printJson(res); return; }
          printTable(res.chains.map(chainRow));
          const range = o.offset && res.chains.length ? `${o.offset + 1}-${o.offset + res.chains.length}` : `${res.chains.length}`;
          process.stderr.write(`${range} of ${res.total} chains (${res.queryMs} ms)\n`);
        });
      } catch (e) { fail(e); }
    });
}
