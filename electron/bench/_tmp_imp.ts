import { CaseHandle } from '../engine/case/caseStore';
import { importPaths } from '../engine/ingest/importer';
import { afterBatchImported, afterImportFinished } from '../engine/correlate/ingestHooks';
const [src, dir, hooks] = process.argv.slice(2);
const h = await CaseHandle.create(dir!, { name: 'x' });
const t = performance.now();
let tb = 0, ti = 0;
const res = await importPaths(h, [src!], hooks === 'no' ? {} : { hooks: {
  afterBatch: async (db, ids) => { const a = performance.now(); await afterBatchImported(db, ids); tb += performance.now() - a; },
  afterImport: async (db) => { const a = performance.now(); await afterImportFinished(db); ti += performance.now() - a; } } });
console.log('import s', ((performance.now() - t) / 1000).toFixed(2), res.files.length, 'batch ms', tb.toFixed(0), 'chains ms', ti.toFixed(0));
await h.close();
