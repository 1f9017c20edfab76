// worker_threads entry: one BatchRedactor per worker (the gitleaks rules compile once), batches in, results out.
import { parentPort, workerData } from 'node:worker_threads';
import { BatchRedactor, type RedactSetup, type RowIn } from './batch';

const redactor = new BatchRedactor(workerData as RedactSetup);
parentPort!.on('message', (msg: { seq: number; rows: RowIn[] }) => {
  try {
    parentPort!.postMessage({ seq: msg.seq, result: redactor.run(msg.rows) });
  } catch (e) {
    parentPort!.postMessage({ seq: msg.seq, error: (e as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
