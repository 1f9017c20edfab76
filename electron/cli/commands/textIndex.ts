// `casefile text-index --case <dir>`: builds (or brings up to date) the case's text index now, and says what it
// cost. The app and `serve` build it in the background; an import from the CLI does not wait for it.
import path from 'node:path';
import type { Command } from 'commander';
import { CaseHandle } from '../../engine/case/caseStore';
import { buildTextIndex } from '../../engine/query/textIndexBuild';
import { fail, printJson } from '../output';
import { counted } from '../../../shared/plural';
import { checkCaseDir } from './ingest';

export function registerTextIndexCommand(program: Command): void {
  program.command('text-index')
    .description('Build or update the text index of a case (it narrows text searches to the blocks that can match)')
    .requiredOption('--case <dir>', 'case folder')
    .option('--json', 'print the result as JSON')
    .action(async (o: { case: string; json?: boolean }) => {
      try {
        checkCaseDir(o.case, false);
        const h = await CaseHandle.open(path.resolve(o.case), { via: 'cli' });
        try {
          const r = await buildTextIndex(h);
          if (o.json) printJson(r);
          else process.stdout.write(`text index: ${r.groups ? `${counted(r.groups, 'group')} built` : 'already up to date'} in ${r.seconds.toFixed(1)} s; covers ids up to ${r.covered}; ${r.rows.toLocaleString()} rows, ${(r.bytes / 1e6).toFixed(1)} MB\n`);
        } finally {
          await h.close();
        }
      } catch (e) {
        fail(e);
      }
    });
}
