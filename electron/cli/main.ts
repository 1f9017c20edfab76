// `casefile`: every engine capability from the shell, for scripting and headless use.
import { Command } from 'commander';
import { appInfo } from '../engine/audit/appInfo';
import { registerIngestCommands } from './commands/ingest';
import { registerQueryCommand } from './commands/query';
import { registerAuditCommands } from './commands/audit';
import { registerServeCommand } from './commands/serve';
import { registerPullCommands } from './commands/pull';
import { registerCorrelateCommands } from './commands/correlate';
import { registerKeyCommands } from './commands/keys';
import { registerExportCommands } from './commands/export';
import { registerExportsCommands } from './commands/exports';
import { registerTextIndexCommand } from './commands/textIndex';
import { registerTimezoneCommand } from './commands/timezone';
import { EXIT } from './output';
import { setLockCommand } from '../engine/case/lock';
import { printable } from '../../shared/printable';

// A reader that stops early (`| head -1`, a pager quit) closes the pipe: the next write fails with EPIPE, which would
// crash with a stack trace. Nothing more can be said to it, so the command ends there, quietly, with its code so far.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw e;
  });
}

const program = new Command();
program
  .name('casefile')
  .description('Casefile: investigate Enrich platform log bundles offline (cases, timeline, correlation, audit)')
  .version((await appInfo()).version)
  // A wrong flag or a missing value is said like every other error: `casefile: ` and one sentence (commander's own
  // wording, with its "Did you mean"), then where the usage is, instead of the whole usage after it.
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'casefile: ').trimEnd().split('\n').map(printable).join('\n') + '\n') })
  .showHelpAfterError('(add --help for the usage)')
  .addHelpText('after', `
Exit codes: 0 done; ${EXIT.error} an error (a wrong flag, an unknown command, no case, an unreadable file, a failed check);
${EXIT.nothingFound} trace: nothing names the id, export: the selection holds no events; ${EXIT.hostKeyRefused} pull: host key not accepted; ${EXIT.overCap} pull: the plan is over the cap;
${EXIT.notYet} verify: not verified yet (another instance holding the case is still building what verify checks);
${EXIT.blocked} export: the fail-closed check refused the output (nothing delivered; stderr says where it hit).
With --json only the JSON goes to stdout; progress, notes and errors go to stderr.`);

// The command is written into a case's lock, so a second command on that case can say which one holds it.
program.hook('preAction', (_root, action) => {
  const names: string[] = [];
  for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
  setLockCommand(names.join(' '));
});

registerIngestCommands(program);
registerQueryCommand(program);
registerCorrelateCommands(program);
registerTextIndexCommand(program);
registerTimezoneCommand(program);
registerExportCommands(program);
registerExportsCommands(program);
registerAuditCommands(program);
registerKeyCommands(program);
registerServeCommand(program);
registerPullCommands(program);

// Whatever escapes a command (an option parser's refusal) is reported as one sentence, never a stack trace, and
// exits 1 like every other error: 2 means "nothing found".
await program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`casefile: ${printable(e instanceof Error ? e.message.split('\n')[0]! : String(e))}\n`);
  process.exitCode = EXIT.error;
});
