// A tree of folders whose reads a test can count: each folder's access time is set far back, and a read of it (by a
// walk) moves it forward (relatime: a read updates an access time older than the modification time).
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const OLD = 1_000; // seconds since 1970

export interface AtimeTree {
  dir: string;
  folders: string[];
  /** The folders read since the last age(). */
  readSince(): string[];
  /** Sets every folder's access time back. */
  age(): void;
  /** Whether this filesystem records access times (a folder read after age() is seen as read). */
  live(): boolean;
}

/** `count` folders d00, d01, … under `dir`, each holding one small log. */
export function atimeTree(dir: string, count: number): AtimeTree {
  const folders = Array.from({ length: count }, (_, i) => `d${String(i).padStart(2, '0')}`);
  for (const d of folders) { mkdirSync(path.join(dir, d), { recursive: true }); writeFileSync(path.join(dir, d, 'a.log'), 'x\n'); }
  const t: AtimeTree = {
    dir, folders,
    readSince: () => folders.filter((d) => statSync(path.join(dir, d)).atimeMs > OLD * 1000),
    age: () => { for (const d of folders) utimesSync(path.join(dir, d), OLD, OLD + 1); },
    live: () => {
      t.age();
      readdirSync(path.join(dir, folders[0]!));
      const seen = t.readSince();
      t.age();
      return seen.length === 1 && seen[0] === folders[0];
    },
  };
  t.age();
  return t;
}
