// Child process for the "plain DuckDB" baseline (run by ingest.ts so its RSS is measured alone):
// JSON-lines files through read_json_auto(union_by_name), every other file as raw lines through read_csv,
// into a persisted database file. Mirrors ../shared/design/MEASUREMENTS.md.
// Usage: tsx electron/bench/duckdb-load.ts <db-file> <list-file>  (list: one absolute path per line)
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

export const isJsonLog = (f: string): boolean => /\.json\.log(\.\d+)?(\.gz)?$|\/log\.json$/.test(f);

const sqlList = (files: string[]): string => `[${files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')}]`;

async function main(db: string, listFile: string): Promise<void> {
  const files = fs.readFileSync(listFile, 'utf8').split('\n').filter((f) => f && fs.statSync(f).size > 0);
  const json = files.filter(isJsonLog);
  const text = files.filter((f) => !isJsonLog(f));
  const inst = await DuckDBInstance.create(db);
  const con = await inst.connect();
  const t0 = performance.now();
  await con.run(`CREATE TABLE json_records AS SELECT * FROM read_json_auto(${sqlList(json)}, union_by_name=true, ignore_errors=true, format='newline_delimited', filename=true)`);
  const t1 = performance.now();
  await con.run(`CREATE TABLE text_lines AS SELECT * FROM read_csv(${sqlList(text)}, columns={'line': 'VARCHAR'}, delim=E'\\x1f', quote='', escape='', header=false, auto_detect=false, ignore_errors=true, filename=true)`);
  const t2 = performance.now();
  await con.run('CHECKPOINT');
  const t3 = performance.now();
  const count = async (t: string): Promise<number> => Number((await con.runAndReadAll(`SELECT count(*) FROM ${t}`)).getRows()[0]![0]);
  process.stdout.write(JSON.stringify({
    jsonFiles: json.length, textFiles: text.length, jsonRows: await count('json_records'), textRows: await count('text_lines'),
    jsonMs: t1 - t0, textMs: t2 - t1, checkpointMs: t3 - t2,
  }) + '\n');
  con.closeSync();
  inst.closeSync();
}

const [db, list] = process.argv.slice(2);
if (db && list) {
  main(db, list).catch((e: unknown) => {
    process.stderr.write(`duckdb-load: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
