import { CaseDb } from '../engine/store/db';
const [file, ...sqls] = process.argv.slice(2);
const db = await CaseDb.open(file!, { readOnly: true });
for (const sql of sqls) { const t = performance.now(); const r = await db.all(sql); console.log(JSON.stringify(r, null, 0).slice(0, 6000)); console.log('ms', (performance.now()-t).toFixed(1)); }
db.close();
