// Atomic, owner-only writes: a crash leaves either the old file or the new one, never half of one.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(file: string, data: string | Uint8Array | AsyncIterable<string | Uint8Array>, mode = 0o600): Promise<void> {
  const tmp = await writeTemp(file, data, mode);
  await fs.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

/** Like `writeFileAtomic`, but never replaces a file: when `file` exists (also when it appears meanwhile) it is left
 * as it is, the temp file removed, and the answer is false. link() is the atomic "create unless present"; where the
 * filesystem has no hard links, an existence check before the rename stands in for it. */
export async function createFileAtomic(file: string, data: string | Uint8Array | AsyncIterable<string | Uint8Array>, mode = 0o600): Promise<boolean> {
  const tmp = await writeTemp(file, data, mode);
  try {
    try {
      await fs.link(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      if (await fs.lstat(file).then(() => true, () => false)) return false;
      await fs.rename(tmp, file);
    }
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
  await fsyncDir(path.dirname(file));
  return true;
}

async function writeTemp(file: string, data: string | Uint8Array | AsyncIterable<string | Uint8Array>, mode: number): Promise<string> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'wx', mode);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await fh.writeFile(data);
    else for await (const chunk of data) await fh.writeFile(chunk); // a stream: each chunk written whole, at the current position
    await fh.sync();
  } catch (e) {
    await fh.close();
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fh.close();
  return tmp;
}

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r').catch(() => null);
  if (!fh) return;
  try { await fh.sync(); } catch { /* some filesystems refuse fsync on directories */ } finally { await fh.close(); }
}

export async function mkdirPrivate(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
}
