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
import { registerTextIndexCommand } from './commands/textIndex';

const program = new Command();
program
  .name('casefile')
  .description('Casefile: investigate Enrich platform log bundles offline (cases, timeline, correlation, audit)')
  .version((await appInfo()).version)
  .showHelpAfterError();

registerIngestCommands(program);
registerQueryCommand(program);
registerCorrelateCommands(program);
registerTextIndexCommand(program);
registerExportCommands(program);
registerAuditCommands(program);
registerKeyCommands(program);
registerServeCommand(program);
registerPullCommands(program);

// Whatever escapes a command is reported as one sentence, never a stack trace.
await program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`casefile: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
  process.exitCode = 2;
});
