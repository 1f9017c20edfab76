// worker_threads entry: one BatchRedactor per worker (the gitleaks rules compile once), batches in, results out; when
// the redaction is done (or for a pool started as one) one BatchScanner for the fail-closed re-scan.
import { parentPort, workerData } from 'node:worker_threads';
import { BatchRedactor, BatchScanner, type RedactSetup } from './batch';
import type { Body } from './pool';
import type { RescanTables } from './rescan';

const setup = workerData as RedactSetup;
let redactor = setup.rescan ? null : new BatchRedactor(setup);
let scanner = setup.rescan ? new BatchScanner(setup) : null;
interface Request extends Body { seq: number; rescan?: RescanTables }
parentPort!.on('message', (msg: Request) => {
  try {
    if (msg.rescan) {
      // the redaction is over: from now on this worker re-scans (pool.rescanWith), without the pseudonym key
      redactor?.forgetKey();
      setup.key?.fill(0);
      redactor = null;
      scanner = new BatchScanner({ detectors: setup.detectors, rescan: msg.rescan });
      parentPort!.postMessage({ seq: msg.seq, result: null });
      return;
    }
    // a re-scan request names its columns (labels); a redaction request does not
    let result;
    if (msg.labels) {
      if (!scanner) throw new Error('this worker redacts: it was not given the re-scan tables');
      result = msg.range ? scanner.runRange(msg.range.file, msg.range.start, msg.range.end, msg.labels, msg.claim)
        : msg.lines ? scanner.runLines(msg.lines, msg.labels, msg.claim) : scanner.run(msg.rows, msg.labels, msg.claim);
    } else {
      if (!redactor) throw new Error('this worker re-scans: it no longer redacts');
      const r = redactor.run(msg.rows, msg.layout);
      // the written chunk is moved to the export's thread, not copied
      parentPort!.postMessage({ seq: msg.seq, result: r }, r.chunk ? [r.chunk.buffer as ArrayBuffer] : []);
      return;
    }
    parentPort!.postMessage({ seq: msg.seq, result });
  } catch (e) {
    parentPort!.postMessage({ seq: msg.seq, error: (e as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
