/** Finds the Electron binary by files on disk (never by requiring the electron module). */
export function findElectronBinary(root: string): { found: boolean; path: string };
