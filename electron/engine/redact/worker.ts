// worker_threads entry: one BatchRedactor (or, for a re-scan pool, one BatchScanner) per worker (the gitleaks rules
// compile once), batches in, results out.
import { parentPort, workerData } from 'node:worker_threads';
import { BatchRedactor, BatchScanner, type RedactSetup, type RowIn } from './batch';
import type { CleanClaim } from './cleanCells';

const setup = workerData as RedactSetup;
const redactor = setup.rescan ? null : new BatchRedactor(setup);
const scanner = setup.rescan ? new BatchScanner(setup) : null;
parentPort!.on('message', (msg: { seq: number; rows: RowIn[]; lines?: string[]; labels?: string[]; claim?: CleanClaim }) => {
  try {
    const result = scanner
      ? msg.lines ? scanner.runLines(msg.lines, msg.labels ?? [], msg.claim) : scanner.run(msg.rows, msg.labels ?? [], msg.claim)
      : redactor!.run(msg.rows);
    parentPort!.postMessage({ seq: msg.seq, result });
  } catch (e) {
    parentPort!.postMessage({ seq: msg.seq, error: (e as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
