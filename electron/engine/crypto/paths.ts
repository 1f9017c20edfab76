// Where keys and the unlock settings live in the data home: one place, so nobody spells a path twice.
import path from 'node:path';
import { appFiles } from '../case/paths';

export const FINGERPRINT = /^[0-9A-F]{40}$|^[0-9A-F]{64}$/;

/** Where `sealed.seal` (and `casefile seal`) writes a file's sealed copy: the given path, else beside it as `<file>.asc`. */
export const sealedOutput = (file: string, out?: string): string => path.resolve(out ?? `${file}.asc`);

export function cryptoFiles() {
  const home = appFiles().home;
  const dir = path.join(home, 'keys');
  const checked = (fpr: string) => {
    if (!FINGERPRINT.test(fpr)) throw new Error(`Not a fingerprint: ${fpr.slice(0, 80)}`);
    return fpr;
  };
  return {
    dir,
    index: path.join(dir, 'index.json'),
    lock: path.join(dir, 'index.lock'),
    /** A secret key exactly as exported (still passphrase-protected), or its safeStorage-wrapped copy. */
    secret: (fpr: string) => path.join(dir, `${checked(fpr)}.key`),
    clients: path.join(dir, 'clients'),
    client: (fpr: string) => path.join(dir, 'clients', `${checked(fpr)}.pub`),
    settings: path.join(home, 'settings.json'),
  };
}
