// Test-only fault injection: CASEFILE_FAULT=<name> kills the process (kill -9) at that point, so the crash tests can
// check what a real crash in that window leaves behind.
export function faultPoint(name: string): void {
  if (process.env.CASEFILE_FAULT === name) process.kill(process.pid, 'SIGKILL');
}

/**
 * Test-only: CASEFILE_HOLD=<name> holds the work at that point until it is cancelled (at most 60 s), so a test that
 * cancels from outside the process (Ctrl-C on the CLI) does not race the work to its end.
 */
export async function holdPoint(name: string, signal: AbortSignal | undefined): Promise<void> {
  if (process.env.CASEFILE_HOLD !== name || !signal || signal.aborted) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, 60_000);
    signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
