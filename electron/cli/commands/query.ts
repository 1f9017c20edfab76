// `casefile query`: one read-only SQL statement over the case (events.sql, audited with the SQL as an HMAC). Its
// output is what gets pasted into tickets, so the rows come masked as the app shows them (secrets as ••••••••,
// personal data as stored); --reveal-secrets prints them as stored, and the call's audit entry records that it did.
import { type Command, Option } from 'commander';
import { fail, intFrom1To, printCsv, printJson, printTable } from '../output';
import { withCaseEngine } from './ingest';

export function registerQueryCommand(program: Command): void {
  program.command('query')
    .description('Run one read-only SQL statement over the case (see docs/EVENTS.md for the events view); secrets in the rows are masked as in the app')
    .requiredOption('--case <dir>', 'case folder')
    .requiredOption('--sql <statement>', 'SELECT …')
    .option('--json', 'JSON output')
    .addOption(new Option('--csv', "CSV output (a text cell starting with = + - @, tab or CR gets a leading ' so a spreadsheet does not run it)").conflicts('json'))
    .addOption(new Option('--csv-exact', 'CSV output with every cell as stored, for scripts (never open it in a spreadsheet)').conflicts(['json', 'csv']))
    .option('--limit <n>', 'maximum rows (1 to 100000)', intFrom1To('--limit', 100_000), 100_000)
    .option('--reveal-secrets', 'print secrets as stored instead of masked (recorded in the case audit trail)')
    .action(async (o: { case: string; sql: string; json?: boolean; csv?: boolean; csvExact?: boolean; limit: number; revealSecrets?: boolean }) => {
      try {
        await withCaseEngine(o.case, async (engine, info) => {
          const res = await engine.call('events.sql', { caseId: info.id, sql: o.sql, limit: o.limit, ...(o.revealSecrets ? { reveal: true } : {}) });
          if (o.json) printJson(res.rows);
          else if (o.csv || o.csvExact) printCsv(res.rows, res.columns, !!o.csvExact);
          else printTable(res.rows, res.columns);
          if (res.truncated) process.stderr.write(res.truncatedBy === 'bytes' ? `(truncated at ${res.rows.length} rows: the result size cap)\n` : `(truncated to ${o.limit} rows)\n`);
          if (res.masked) process.stderr.write(`(${res.masked} ${res.masked === 1 ? 'value' : 'values'} masked as secrets; --reveal-secrets prints them, recorded in the audit trail)\n`);
        });
      } catch (e) { fail(e); }
    });
}
