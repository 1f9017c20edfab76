// A process that holds a case as `casefile <command>` would (heldCase.test.ts): the case lock naming that command,
// and, with `writing`, its database open for writing (an import or pull mid-way). Says "held" and waits to be killed.
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
setInterval(() => undefined, 60_000);
