// `casefile export` (a redacted extract for a client) and `casefile redact-test` (what the rules would change).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { Engine } from '../../engine/engine';
import { ContractFailure } from '../../engine/engine';
import { EXIT, fail, inputFileError, printJson, printTable, readInputFile } from '../output';
import { withCaseEngine } from './ingest';
import { cancelJob, onCtrlC, wasCancelled } from '../ctrlC';
import { TESTER_MAX_CHARS, TESTER_MAX_TOTAL_CHARS, testerSample } from '../../../shared/contract/redact';
import { printable } from '../../../shared/printable';
import { FIELDS_NOTE } from '../../../shared/exportFields';
import { counted } from '../../../shared/plural';

const MAX_RULES_FILE = 1 << 20;

/**
 * A rules file is read only if it is a regular file (after symlinks) of at most 1 MiB, checked on the open
 * descriptor: a FIFO, a device such as /dev/zero or a directory behind the name is refused, never read.
 */
function readRules(file: string | undefined): Record<string, unknown> | undefined {
  if (!file) return undefined;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw inputFileError(file, e);
  }
  let text: string;
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new Error(`${file} is not a regular file: a rules file is YAML or JSON text`);
    if (st.size > MAX_RULES_FILE) throw new Error(`${file} is larger than 1 MiB: too large for a rules file`);
    text = fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
  const v: unknown = YAML.parse(text);
  if (!v || typeof v !== 'object') throw new Error(`${file} is not a rules object (YAML or JSON)`);
  return v as Record<string, unknown>;
}

/** The files an export delivers (run.ts names them so): the data, the report and the manifest, each `.pgp` when encrypted. */
function deliverableNames(format: string, encrypted: boolean): string[] {
  return [`events.${format}`, 'report.json', 'manifest.json'].map((n) => (encrypted ? `${n}.pgp` : n));
}

/** The real path of `p`, or of its nearest existing folder with the rest appended (`--out` may not exist yet). */
function realPathOf(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  let at = abs;
  for (;;) {
    try { return path.join(fs.realpathSync(at), ...rest); } catch { /* not there yet: go up */ }
    const up = path.dirname(at);
    if (up === at) return abs;
    rest.unshift(path.basename(at));
    at = up;
  }
}

/**
 * Said before the export runs, so a refused copy never follows a written export: `--out` must be a folder outside
 * the case (the deliverable copied into it would sit among the evidence, or loose in exports/ beside the export
 * folders) and must not hold the files the copy would write (an earlier extract there would be overwritten).
 */
function checkOut(out: string, caseDir: string, names: string[]): void {
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new Error(`--out ${out} is a file: give a folder (made if missing) for the deliverable files.`);
  const o = realPathOf(out);
  const c = realPathOf(caseDir);
  if (o === c || o.startsWith(c + path.sep)) throw new Error(`--out ${out} is inside the case folder: give a folder outside the case for the deliverable files.`);
  const there = names.filter((n) => { try { fs.lstatSync(path.join(out, n)); return true; } catch { return false; } });
  if (there.length) throw new Error(`--out ${out} already holds ${there.join(', ')} (an earlier extract?): give an empty or new folder, nothing was exported.`);
}

/**
 * `--out` made before the export runs (under a file, a dangling link, no permission: said now, not once the export
 * is written into the case); `undo` removes what was made for it, left empty, when the export then writes nothing.
 */
function makeOut(out: string): { undo: () => void } {
  let first: string | undefined;
  try {
    first = fs.mkdirSync(out, { recursive: true, mode: 0o700 });
    fs.accessSync(out, fs.constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = { ENOTDIR: 'a file is in its path', EEXIST: 'a file is in its path', ENOENT: 'a link to nowhere is in its path', EACCES: 'no permission', EROFS: 'read-only file system' }[code] ?? code;
    throw new Error(`--out ${out} cannot be made (${why}): give a folder outside the case for the deliverable files; nothing was exported.`, { cause: e });
  }
  return {
    undo: () => {
      if (!first) return;
      for (let d = path.resolve(out); ; d = path.dirname(d)) {
        try { fs.rmdirSync(d); } catch { return; } // not empty (or gone): kept
        if (d === first) return;
      }
    },
  };
}

/**
 * The deliverable copied into `--out` whole or not at all: each file copied under a temporary name, then all linked
 * to their names (a name taken meanwhile is kept, never overwritten); on any failure what this copy made is removed.
 * A kill midway leaves only `.partial` files, never a cut file under a deliverable's name.
 */
export function copyOut(from: string, names: string[], out: string): void {
  const temp = (n: string) => path.join(out, `.${n}.partial-${process.pid}`);
  const placed: string[] = [];
  try {
    for (const n of names) fs.copyFileSync(path.join(from, n), temp(n), fs.constants.COPYFILE_EXCL);
    for (const n of names) {
      try {
        fs.linkSync(temp(n), path.join(out, n)); // EEXIST when the name is taken
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
        // a file system without hard links (FAT on a USB stick): checked, then renamed
        if (fs.existsSync(path.join(out, n))) throw Object.assign(new Error(`${n} appeared in ${out}`), { code: 'EEXIST' });
        fs.renameSync(temp(n), path.join(out, n));
      }
      placed.push(n);
    }
  } catch (e) {
    for (const n of placed) fs.rmSync(path.join(out, n), { force: true });
    throw e;
  } finally {
    for (const n of names) fs.rmSync(temp(n), { force: true });
  }
}

export function registerExportCommands(program: Command): void {
  program.command('export')
    .description('Write a redacted extract of the case for a client: fail-closed, encrypted to their key unless --plaintext; exit 2 when the selection holds no events, 6 when the fail-closed check refuses the output (nothing delivered)')
    .requiredOption('--case <dir>', 'case folder')
    .option('--where <expr>', 'one boolean expression over the events view, e.g. "level = \'ERROR\'"')
    .option('--chain <key>', 'the events of one chain')
    .option('--since <iso>', 'from this instant (ISO 8601 with zone)')
    .option('--until <iso>', 'before this instant')
    .requiredOption('--format <f>', 'jsonl | csv | parquet')
    .option('--rules <file>', 'client redaction rules (YAML or JSON); default: the case\'s')
    .option('--profile <name>', 'site profile whose redaction rules are merged in (default: the profiles the evidence was pulled with)')
    .option('--scope <scope>', 'pseudonym key: per-export (default) or per-client (same tokens in every extract for this client)')
    .option('--client <name>', 'who the client is for --scope per-client (default: the profile, else the --to key)')
    .option('--to <key>', 'client key in the keystore (fingerprint, key id or user id)')
    .option('--plaintext', 'write without encryption (explicit choice)')
    .option('--out <dir>', 'also copy the deliverable files here (never the re-identification map)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { case: string; where?: string; chain?: string; since?: string; until?: string; format: string; rules?: string; profile?: string; scope?: string; client?: string; to?: string; plaintext?: boolean; out?: string; json?: boolean }) => {
      try {
        if (!['jsonl', 'csv', 'parquet'].includes(o.format)) throw new Error(`--format expects jsonl, csv or parquet, got "${o.format}"`);
        if (o.scope && o.scope !== 'per-export' && o.scope !== 'per-client') throw new Error(`--scope expects per-export or per-client, got "${o.scope}"`);
        if (!o.to && !o.plaintext) throw new Error('Give the client key with --to, or --plaintext to write unencrypted on purpose.');
        if (o.to && o.plaintext) throw new Error('--to and --plaintext exclude each other.');
        // Said before the export runs: else it is written into the case and then the copy fails.
        if (o.out) checkOut(o.out, o.case, deliverableNames(o.format, !o.plaintext));
        const rules = readRules(o.rules);
        const made = o.out ? makeOut(o.out) : null;
        let exported = false;
        try {
          await withCaseEngine(o.case, async (engine, info) => {
            const selection = {
              ...(o.where ? { where: o.where } : {}), ...(o.chain ? { chain: o.chain } : {}),
              ...(o.since ? { since: o.since } : {}), ...(o.until ? { until: o.until } : {}),
            };
            // Ctrl-C cancels the export's job: the engine removes its partial extract (Node's default SIGINT killed the
            // process mid-write and left it in exports/ until the next export). Twice quits at once.
            const jobId = `cli-export-${randomBytes(6).toString('hex')}`;
            const offCtrlC = onCtrlC(() => cancelJob(engine, jobId, 'the export'));
            // On a terminal: a line each time the job says what it is doing (the whole-case harvest, the workers, the
            // check): an export that sat silent for its setup looked hung. Not on a pipe: a script reads the result.
            let lastWords = '';
            const offWords = engine.on('job.progress', (j) => {
              const words = j.jobId === jobId && !o.json && process.stderr.isTTY ? j.step?.message : undefined;
              if (words && words !== lastWords) { lastWords = words; process.stderr.write(`  ${printable(words)}\n`); }
            });
            let r;
            try {
              r = await engine.call('export.run', {
                caseId: info.id, jobId, selection, format: o.format as 'jsonl', ...(rules ? { rules } : {}),
                ...(o.profile ? { profile: o.profile } : {}), ...(o.scope ? { pseudonymScope: o.scope as 'per-client' } : {}), ...(o.client ? { client: o.client } : {}),
                ...(o.to ? { to: o.to } : { plaintext: true }),
              });
            } catch (e) {
              if (!wasCancelled(e)) throw e;
              process.stderr.write('casefile: export cancelled: nothing was written (its partial extract was removed).\n');
              process.exitCode = 130;
              return;
            } finally {
              offCtrlC();
              offWords();
            }
            exported = true;
            // the operator asked for the copy: it is where they will look, so it is said beside the case's own folder
            const copiedTo = o.out ? path.resolve(o.out) : undefined;
            if (copiedTo) {
              try {
                copyOut(r.dir, r.files.map((f) => f.name), copiedTo);
              } catch (e) {
                throw new Error(`export ${r.exportId} is written (${r.dir}), but copying it to --out failed (${e instanceof Error ? e.message : String(e)}): nothing of it was left in ${copiedTo}; copy the files from the export's folder.`, { cause: e });
              }
            }
            warn(r.warnings);
            if (o.json) { printJson(copiedTo ? { ...r, copiedTo } : r); return; }
            process.stdout.write(`export ${r.exportId}: ${r.events} events, ${r.encrypted ? `encrypted to ${printable(r.recipient ?? '')}` : 'PLAINTEXT'}, `
              + `map ${r.mapKept ? 'kept (encrypted to your key)' : 'not kept (no operator key)'}, `
              + `pseudonyms ${r.pseudonymScope === 'per-client' ? `of client ${printable(r.client ?? '')} (the same in each of its per-client extracts)` : 'for this extract only'}\n${printable(r.dir)}\n${copiedTo ? `copied to ${printable(copiedTo)}\n` : ''}`
              // the report says it too; said here so the operator is not surprised by an empty column
              + `note: ${FIELDS_NOTE}\n`);
            printTable(r.files.map((f) => ({ file: f.name, bytes: f.bytes, sha256: f.sha256 })));
            printTable(Object.entries(r.byType).map(([type, n]) => ({ type, replacements: n })));
          });
        } finally {
          if (!exported) made?.undo();
        }
      } catch (e) {
        fail(e);
        // nothing selected (a mistyped chain key, a range outside the case), or the output refused by the fail-closed
        // check (nothing delivered; where it hit on stderr): a script tells each from a failure by its code
        if (e instanceof ContractFailure && e.error.code === 'nothing_selected') process.exitCode = EXIT.nothingFound;
        if (e instanceof ContractFailure && e.error.code === 'blocked') process.exitCode = EXIT.blocked;
      }
    });

  program.command('redact-test')
    .description('Show what the redaction rules would change in a sample file (one record per line)')
    .requiredOption('--rules <file>', 'client redaction rules (YAML or JSON)')
    .argument('<sample>', 'text file with sample lines')
    .option('--case <dir>', 'also run what an export of this case runs: its rules and idPatterns, and the values it harvests')
    .option('--json', 'print every line with its replacements as JSON')
    .action(async (sample: string, o: { rules: string; case?: string; json?: boolean }) => {
      try {
        const rules = readRules(o.rules);
        // Cut to what one test takes, and said: a line past its length or the sample's budget is tested in part.
        const { lines, cut, dropped } = testerSample(readInputFile(sample).toString('utf8'));
        if (!lines.length) throw new Error(`${sample} has no lines`);
        if (cut.length) process.stderr.write(`note: ${cut.length === 1 ? 'line' : 'lines'} ${cut.slice(0, 5).join(', ')}${cut.length > 5 ? '…' : ''} tested only in part (up to ${TESTER_MAX_CHARS} characters a line, ${TESTER_MAX_TOTAL_CHARS} in all)\n`);
        if (dropped) process.stderr.write(`note: the first ${lines.length} lines are tested; ${dropped} more are not\n`);
        const run = async (engine: Engine, caseId?: string) => {
          const r = await engine.call('redact.test', { ...(caseId ? { caseId } : {}), ...(rules ? { rules } : {}), lines });
          warn(r.warnings);
          if (o.json) { printJson(r); return; }
          r.lines.forEach((l, i) => {
            if (!l.replacements.length) return;
            process.stdout.write(`${i + 1}: ${printable(l.text)}\n   ${printable(l.replacements.map((x) => `${x.type}/${x.rule}`).join(', '))}\n`);
          });
          const n = r.lines.reduce((s, l) => s + l.replacements.length, 0);
          process.stdout.write(`${counted(n, 'replacement')} in ${r.lines.filter((l) => l.replacements.length).length} of ${counted(lines.length, 'line')}\n`);
        };
        if (o.case) { await withCaseEngine(o.case, (engine, info) => run(engine, info.id)); return; }
        const engine = await Engine.create({ via: 'cli' });
        try {
          await run(engine);
        } finally {
          await engine.close();
        }
      } catch (e) { fail(e); }
    });
}

/** Said on stderr (also with --json, whose object carries them too): the command still ran. */
function warn(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${printable(w)}\n`);
}
