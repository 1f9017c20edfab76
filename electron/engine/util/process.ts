// Whether a process of this host is still there: what tells a lock or a folder left by a killed process from one in use.
export function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}
