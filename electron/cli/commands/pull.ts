// `casefile profile …` and `casefile pull …`: site profiles and pulls from the shell, over the same contract calls
// the app uses. A key passphrase is asked without echo or read from `--passphrase-fd` (never argv); an unknown host
// key is printed with its fingerprint and, without a terminal or --yes, refused. Ctrl-C cancels the pull job (its
// state is kept) and a pull that did not finish is named with the command that resumes it.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline/promises';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { SiteProfile } from '../../../shared/profile';
import { SET_ASIDE_REASONS as SET_ASIDE, type PullAnswer, type PullSummary } from '../../../shared/contract/pull';
import { Engine } from '../../engine/engine';
import { parseSize } from '../../../shared/size';
import { readSecret } from '../secretInput';
import { EXIT, fail, printJson, printTable, readInputFile } from '../output';
import { cancelJob, onCtrlC } from '../ctrlC';
import { printable } from '../../../shared/printable';
import { withCaseEngine } from './ingest';

const MB = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function parseJsonFile(file: string): unknown {
  const text = readInputFile(file).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

async function withAppEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.create({ via: 'cli' });
  try { return await fn(engine); } finally { await engine.close(); }
}

async function ask(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try { return /^y(es)?$/i.test((await rl.question(question)).trim()); } finally { rl.close(); }
}

function planTable(a: Extract<PullAnswer, { pullId: string }>): void {
  // Names come from the server: escaped, so that none can drive the operator's terminal.
  printTable(a.plan.files.map((f) => ({ file: printable(f.path), source: f.source, size: f.size, modified: new Date(f.mtime * 1000).toISOString(), note: f.grown ? 'grown' : '' })));
  const skipped = a.plan.skipped.reduce<Record<string, number>>((m, f) => ({ ...m, [f.reason]: (m[f.reason] ?? 0) + 1 }), {});
  process.stdout.write(`plan: ${a.plan.files.length} files, ${MB(a.plan.bytes)} of a ${MB(a.plan.capBytes)} cap` +
    `${Object.keys(skipped).length ? `; skipped ${Object.entries(skipped).map(([r, n]) => `${n} ${r}`).join(', ')}` : ''}\n`);
  for (const d of a.denied) process.stdout.write(`permission denied on the server: ${printable(d)} (not listed)\n`);
  for (const f of a.plan.skipped) if (SET_ASIDE[f.reason]) process.stdout.write(`not fetched, ${SET_ASIDE[f.reason]}: ${printable(f.path)}\n`);
}

export function registerPullCommands(program: Command): void {
  const profile = program.command('profile').description('Site profiles: how to reach a site through its jump hosts (no secret is stored)');
  profile.command('list').description('List site profiles').option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      try {
        await withAppEngine(async (engine) => {
          const { profiles: list, unreadable } = await engine.call('profiles.list', {});
          if (o.json) return printJson({ profiles: list, unreadable });
          // Said on stderr, so a damaged profile is never silently missing from the table.
          for (const u of unreadable) process.stderr.write(`casefile: ${printable(u.error)}\n`);
          printTable(list.map((p) => ({ name: p.name, target: `${p.target.user}@${p.target.host}:${p.target.port}`, via: p.jumps.map((j) => `${j.user}@${j.host}:${j.port}`).join(' → '), root: p.logRoot, cap: MB(p.capBytes) })));
        });
      } catch (e) { fail(e); }
    });
  profile.command('show').argument('<name>').description('Show one profile as JSON')
    .action(async (name: string) => {
      try { await withAppEngine(async (engine) => printJson(await engine.call('profiles.get', { name }))); } catch (e) { fail(e); }
    });
  profile.command('add').description('Add a profile from a JSON file (the site profile schema)')
    .requiredOption('--file <profile.json>', 'profile JSON').option('--replace', 'overwrite a profile of the same name')
    .action(async (o: { file: string; replace?: boolean }) => {
      try {
        const p = SiteProfile.parse(parseJsonFile(o.file));
        await withAppEngine(async (engine) => { await engine.call('profiles.save', { profile: p, ...(o.replace ? { replace: true } : {}) }); });
        process.stdout.write(`profile ${p.name} saved\n`);
      } catch (e) { fail(e); }
    });
  profile.command('import-ssh-config').description('Make a profile from a host of an OpenSSH client config (Match exec is never run)')
    .requiredOption('--host <alias>', 'the Host alias').option('--file <ssh_config>', 'config file', path.join(os.homedir(), '.ssh', 'config'))
    .requiredOption('--root <dir>', 'remote log root, e.g. /home/scribble/enrich').option('--cap <size>', 'pull cap', '1GB').option('--tz <zone>', 'site timezone')
    .action(async (o: { host: string; file: string; root: string; cap: string; tz?: string }) => {
      try {
        await withAppEngine(async (engine) => {
          const p = await engine.call('profiles.importSshConfig', { host: o.host, file: o.file, logRoot: o.root, capBytes: parseSize(o.cap), ...(o.tz ? { timezone: o.tz } : {}), save: true });
          process.stdout.write(`profile ${p.name} saved: ${[...p.jumps, p.target].map((h) => `${h.user}@${h.host}:${h.port}`).join(' → ')}\n`);
        });
      } catch (e) { fail(e); }
    });

  program.command('pull')
    .description('Pull log files from a site over SFTP (through its jump hosts) into a case, then import them')
    .requiredOption('--case <dir>', 'case folder (created if missing)')
    .requiredOption('--profile <name>', 'site profile')
    .option('--root <dir>', 'remote log root (default: the profile\'s)')
    .option('--since <time>', 'only files that can hold records from this time on')
    .option('--until <time>', 'only files that can hold records up to this time')
    .option('--sources <list>', 'comma list: system,pipeline,taskblade,workflows,celery,doodle,gunicorn,jupyter,netdata')
    .option('--cap <size>', 'byte cap for this pull (default: the profile\'s)')
    .option('--trim', 'over the cap: keep the newest files that fit instead of refusing')
    .option('--resume <pull-id>', 'resume an interrupted pull')
    .option('--dry-run', 'plan only: show what would be fetched')
    .option('--yes', 'accept an unknown host key (after printing it) and the plan without asking')
    .option('--passphrase-fd <n>', 'read a key passphrase from this file descriptor')
    .option('--json', 'print the answer as JSON')
    .action(async (o: { case: string; profile: string; root?: string; since?: string; until?: string; sources?: string; cap?: string; trim?: boolean; resume?: string; dryRun?: boolean; yes?: boolean; passphraseFd?: string; json?: boolean }) => {
      try {
        await withCaseEngine(o.case, async (engine, info) => {
          const p = await engine.call('profiles.get', { name: o.profile });
          const needsKey = [...p.jumps, p.target].some((h) => h.auth.kind === 'key');
          let passphrase: string | undefined;
          const base = {
            caseId: info.id, profile: o.profile,
            ...(o.root ? { root: o.root } : {}), ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}),
            ...(o.sources ? { sources: o.sources.split(',').map((s) => s.trim()) as never } : {}),
            ...(o.cap ? { capBytes: parseSize(o.cap) } : {}), ...(o.trim ? { overCap: 'trim' as const } : {}),
          };
          const bar = !o.json && process.stderr.isTTY
            ? new cliProgress.SingleBar({ format: 'pulling [{bar}] {percentage}% | {value}/{total} MB | {files} files | {rate} MB/s | eta {eta_formatted}', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
            : null;
          const jsonl = process.env.CASEFILE_PROGRESS === 'jsonl';
          let started = false;
          // The pull this command runs: only it (or the one --resume names) is offered for resuming when it fails.
          let ours: string | undefined;
          const off = engine.on('pull.progress', (pr) => {
            if (pr.jobId !== undefined && pr.jobId === jobId) ours = pr.pullId;
            if (jsonl) process.stderr.write(JSON.stringify(pr) + '\n');
            if (!bar) return;
            if (!started) { bar.start(Math.ceil(pr.bytesTotal / 1e6), 0, { files: '', rate: '' }); started = true; }
            bar.update(Math.floor(pr.bytesDone / 1e6), { files: `${pr.filesDone}/${pr.filesTotal}`, rate: (pr.rate / 1e6).toFixed(1) });
          });
          const listed = async () => await engine.call('pull.list', { caseId: info.id });
          const unfinishedIn = (all: Awaited<ReturnType<typeof listed>>) => all.filter((p): p is PullSummary => p.status !== 'damaged')
            .filter((p) => p.profile === o.profile && (p.status !== 'complete' || (!!p.bundle && !p.imported)));
          const unfinished = async () => unfinishedIn(await listed());
          const state = (p: { status: string; filesDone: number; files: number }) => (p.status === 'complete' ? 'was pulled but not imported' : `did not finish (${p.filesDone} of ${p.files} files)`);
          const resumeWith = (id: string) => `casefile pull --case ${o.case} --profile ${o.profile} --resume ${id}`;
          // A case open read-only here is written by another process: its 'running' pull may be live there, and a pull
          // from here is refused anyway.
          if (!o.resume && !o.dryRun && !info.readOnly) {
            const all = await listed(); // once: it reads every pull's state
            for (const p of unfinishedIn(all)) process.stderr.write(`casefile: pull ${p.id} of profile ${o.profile} ${state(p)}; this starts a new one. To resume it instead: ${resumeWith(p.id)}\n`);
            // Of no profile anyone can tell: said whatever the profile, so a damaged pull is never silently passed over.
            for (const p of all) if (p.status === 'damaged') process.stderr.write(`casefile: ${p.error}\n`);
          }
          // Ctrl-C cancels the job, so the engine records the pull as interrupted and the trail says so; twice quits.
          let jobId: string | undefined;
          const offCtrlC = onCtrlC(() => { if (jobId) cancelJob(engine, jobId, 'the pull'); else process.exit(130); });
          try {
            for (let attempt = 0; attempt < 4; attempt++) {
              let a: PullAnswer;
              try {
                jobId = o.dryRun ? undefined : `cli-pull-${randomBytes(6).toString('hex')}`;
                a = o.dryRun ? await engine.call('pull.plan', { ...base, ...(passphrase !== undefined ? { passphrase } : {}) })
                  : await engine.call('pull.run', { ...base, jobId, ...(o.resume ? { resume: o.resume } : {}), ...(passphrase !== undefined ? { passphrase } : {}) });
              } catch (e) {
                // A key file wants its passphrase: ask once (never argv), then try again.
                if (needsKey && passphrase === undefined && /passphrase/i.test((e as Error).message) && !/wrong/i.test((e as Error).message)) {
                  passphrase = await readSecret(`Passphrase for the key of profile ${o.profile}: `, o.passphraseFd);
                  continue;
                }
                const left = o.dryRun || info.readOnly ? [] : await unfinished().catch(() => []);
                const mine = left.find((p) => p.id === (o.resume ?? ours));
                if (mine) process.stderr.write(`casefile: pull ${mine.id} ${state(mine)}; what was fetched is kept. Resume it with: ${resumeWith(mine.id)}\n`);
                throw e;
              }
              if (a.status === 'host-key-unknown') {
                const k = a.presented;
                process.stderr.write(`The ${k.keyType} host key of ${k.host}:${k.port} is not known.\n  fingerprint: ${k.fingerprint}\nCheck it with the site before accepting it.\n`);
                const yes = o.yes || await ask('Accept this key and continue? [y/N] ');
                if (!yes) { process.stderr.write('casefile: host key not accepted: nothing pulled.\n'); process.exitCode = EXIT.hostKeyRefused; return; }
                await engine.call('hostkeys.accept', { host: k.host, port: k.port, keyType: k.keyType, key: k.key, fingerprint: k.fingerprint });
                continue;
              }
              // Over the cap is exit 4 with or without --json: a script reads the code, not the text.
              if (a.status === 'refused') process.exitCode = EXIT.overCap;
              if (o.json) { printJson(a); return; }
              bar?.stop();
              planTable(a);
              if (a.status === 'refused') {
                const n = a.plan.newestOverCap;
                process.stderr.write(n
                  ? `casefile: the newest file ${printable(n.path)} alone is ${MB(n.size)}, over the cap of ${MB(a.plan.capBytes)}: refused (older files are not pulled in its place; raise the cap: --cap ${Math.ceil(n.size / 1e6)}MB).\n`
                  : 'casefile: the plan is over the cap: refused (use --trim to keep the newest files that fit, or --cap).\n');
                return;
              }
              if (a.status === 'done') {
                process.stdout.write(`pulled into bundle ${a.bundle} (pull ${a.pullId}); imported ${a.import?.files.reduce((n, f) => n + f.records, 0) ?? 0} records from ${a.import?.files.filter((f) => !f.skipped).length ?? 0} files\n`);
              }
              return;
            }
            throw new Error('Gave up after several host-key or passphrase rounds.');
          } finally {
            offCtrlC();
            off();
            bar?.stop();
          }
        }, {
          name: path.basename(path.resolve(o.case)),
          // A profile that does not exist is refused before a new case is made for it.
          check: async (engine) => { await engine.call('profiles.get', { name: o.profile }); },
        }, { writing: !o.dryRun }); // a pull into a read-only case fails with the reason: said once, by its error
      } catch (e) { fail(e); }
    });
}
