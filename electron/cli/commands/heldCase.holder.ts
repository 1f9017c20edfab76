// A process that holds a case as `casefile <command>` would (heldCase.test.ts): the case lock naming that command,
// and, with `writing`, its database open for writing (an import or pull mid-way). Says "held" and waits to be killed.
// At rest it writes when asked on stdin.
import { setLockCommand } from '../../engine/case/lock';
import { Engine } from '../../engine/engine';

const [dir, command, mode] = process.argv.slice(2) as [string, string, string];
setLockCommand(command);
const engine = await Engine.create({ via: 'cli' });
const { id } = await engine.call('cases.open', { dir });
if (mode === 'writing') {
  void engine.context.getCase(id).withWriter(() => new Promise(() => undefined));
  setTimeout(() => process.stdout.write('held\n'), 200);
} else process.stdout.write('held\n');
// "write" on stdin: the holder writes now (the next step of its import), and says whether it could.
process.stdin.on('data', () => {
  void engine.context.getCase(id).withWriter(async (db) => { await db.run('CHECKPOINT'); })
    .then(() => process.stdout.write('wrote\n'), (e: unknown) => process.stdout.write(`write failed: ${(e as Error).message}\n`));
});
setInterval(() => undefined, 60_000);
