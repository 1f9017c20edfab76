// Child process for the concurrency test: says "ready", waits for "go" on stdin (so both children really start
// together), then appends N entries to one audit log as fast as it can.
import { once } from 'node:events';
import { appendAudit } from '../engine/audit/trail';

const [file, countArg, tag] = process.argv.slice(2);
const count = Number(countArg);
process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.pause();
for (let i = 0; i < count; i++) {
  await appendAudit(file!, { action: 'test.concurrent', params: { writer: tag, i }, result: { status: 'ok' }, via: 'test' });
}
