// Ctrl-C for a command that runs an engine job. Node's default SIGINT killed the process mid-write, saying nothing and
// auditing nothing; a cancel lets the engine stop at its next step, clean up and say so.
import { ContractFailure, type Engine } from '../engine/engine';

/**
 * The first Ctrl-C calls `stop`; the second quits at once (exit 130). Returns the remover, for when the job has ended.
 */
export function onCtrlC(stop: () => void): () => void {
  let stopping = false;
  const handler = () => {
    if (stopping) process.exit(130);
    stopping = true;
    stop();
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

/** Says what is stopping and cancels the job `jobId` (the engine's own words end the command). */
export function cancelJob(engine: Engine, jobId: string, what: string): void {
  process.stderr.write(`\ncasefile: stopping ${what} (Ctrl-C again to quit at once)\n`);
  void engine.call('jobs.cancel', { jobId }).catch(() => undefined);
}

/** Did the call end because its job was cancelled (the command then says so and exits 130)? */
export const wasCancelled = (e: unknown): e is ContractFailure => e instanceof ContractFailure && e.error.code === 'cancelled';
