// `casefile exports` (what extracts left the case, when, to whom, with what counts) and `casefile reidentify` (who a
// token in a client's reply stands for: the case's re-identification maps opened with the operator's key).
import type { Command } from 'commander';
import { ContractFailure } from '../../engine/engine';
import { printable } from '../../../shared/printable';
import { EXIT, fail, printJson, printTable } from '../output';
import { withCaseEngine } from './ingest';
import { withUnlocked } from './keys';

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

export function registerExportsCommands(program: Command): void {
  program.command('exports')
    .description('List the case\'s exports: when, format, selection (redacted), recipient, counts, state, whether a re-identification map is kept')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print every export as JSON')
    .action(async (o: { case: string; json?: boolean }) => {
      try {
        await withCaseEngine(o.case, async (engine, info) => {
          const { exports } = await engine.call('export.list', { caseId: info.id });
          if (o.json) { printJson(exports); return; }
          printTable(exports.map((e) => ({
            time: e.time, export: e.exportId ?? '', state: e.state, format: e.format ?? '', events: e.events, replacements: sum(e.byType),
            to: e.recipient ?? (e.state === 'complete' ? 'PLAINTEXT' : ''), client: e.client ?? '', map: e.mapPresent ? 'kept' : e.mapKept ? 'missing' : 'none',
            selection: e.selection ?? e.message ?? '',
          })));
        });
      } catch (e) { fail(e); }
    });

  program.command('reidentify')
    .description('Who the <type:TOKEN> pseudonyms in a client\'s text stand for (asks your key\'s passphrase when it is locked); exit 2 when a token is in no map')
    .requiredOption('--case <dir>', 'case folder')
    .option('--export <id>', 'search this export\'s map only (default: every map the case kept)')
    .option('--passphrase-fd <n>', 'read your key\'s passphrase from this file descriptor')
    .option('--json', 'print the answer as JSON')
    .argument('<text...>', 'tokens, or the client\'s text holding them (every <type:TOKEN> in it is looked up)')
    .action(async (words: string[], o: { case: string; export?: string; passphraseFd?: string; json?: boolean }) => {
      try {
        await withCaseEngine(o.case, async (engine, info) => {
          const input = { caseId: info.id, text: words.join(' '), ...(o.export ? { exportId: o.export } : {}) };
          const r = await withUnlocked(engine, () => engine.call('export.reidentify', input), o.passphraseFd);
          if (o.json) printJson(r);
          else if (r.found.length) {
            printTable(r.found.map((f) => ({ token: f.token, type: f.type, original: f.original, export: f.exportId, 'first event': f.firstEventId ?? '', 'also in': f.exports.slice(1).map((e) => e.exportId).join(' ') })));
          }
          if (r.notFound.length) {
            process.stderr.write(`casefile: not found in the ${r.searched.length === 1 ? `map of export ${r.searched[0]}` : `${r.searched.length} maps of this case`}: ${printable(r.notFound.join(' '))}\n`);
            process.exitCode = EXIT.nothingFound;
          }
        });
      } catch (e) {
        fail(e);
        if (e instanceof ContractFailure && e.error.code === 'not_found') process.exitCode = EXIT.nothingFound;
      }
    });
}
