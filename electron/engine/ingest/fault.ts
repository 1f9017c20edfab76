// Test-only fault injection: CASEFILE_FAULT=<name> kills the process (kill -9) at that point, so the crash tests can
// check what a real crash in that window leaves behind.
export function faultPoint(name: string): void {
  if (process.env.CASEFILE_FAULT === name) process.kill(process.pid, 'SIGKILL');
}
