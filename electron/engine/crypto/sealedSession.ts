// Opened sealed bundles, in this process's memory only. Outside, a bundle is a masked tree: each field's path and
// kind, never its value or length. One field is revealed at a time, by path. Closing a bundle, or any lock, drops it;
// so do the unlock period and the idle timeout, counted per bundle: one opened by password or session key while no
// key is unlocked has no key lock to end it.
import { randomBytes } from 'node:crypto';
import type { DuplicateKey } from '../../../shared/contract/sealed';
import { formatPath, segmentName, type Segment } from '../../../shared/fieldPath';
import { CryptoError } from './errors';
import { bundleText, detectFormat, duplicateKeys, entrySegments, parseBundle, type BundleFormat, type Node } from './parse';
import type { SignatureReport } from './pgp';

export { formatPath };
export type FieldKind = Node['kind'];
export interface MaskedField { path: Segment[]; kind: FieldKind }

export interface BundleMeta {
  /** Display name (the sealed file's base name). */
  name: string;
  /** sha256 of the sealed file as read (what the audit trail names). */
  sha256: string;
  recipients: string[];
  signatures: SignatureReport[];
}

export interface OpenedBundle extends BundleMeta {
  sessionId: string;
  format: BundleFormat;
  fields: MaskedField[];
  /** Keys the file repeats (names and lines, no value): each entry is a field of its own, and the operator is told. */
  duplicates: DuplicateKey[];
  duplicateKeys: number;
  openedAt: string;
}

const MAX_OPEN = 32;

/** How long a bundle may stay open: at most `unlockSeconds`, and `idleSeconds` after its last reveal. */
export interface SessionLimits { unlockSeconds: number; idleSeconds: number }

interface Session { info: OpenedBundle; root: Node; until: number; idleUntil: number; timer?: NodeJS.Timeout }

/** A bundle that closed on its own, so the page showing it can say so (not find out at its next reveal). */
export interface SessionExpired { sessionId: string; name: string; reason: 'idle' | 'period'; seconds: number }

export class SealedSessions {
  private readonly open = new Map<string, Session>();
  private readonly expired = new Set<(e: SessionExpired) => void>();

  constructor(private readonly limits: () => SessionLimits, private readonly now: () => number = Date.now) {}

  /** Parses decrypted bytes into a session and wipes them; returns the masked view. */
  add(meta: BundleMeta, plaintext: Uint8Array): OpenedBundle {
    let root: Node;
    let format: BundleFormat;
    try {
      const text = bundleText(plaintext);
      format = detectFormat(meta.name, text);
      root = parseBundle(text, format);
    } finally {
      plaintext.fill(0);
    }
    // A plain token or key file parses as one YAML scalar (its lines folded): a tree with nothing to reveal.
    if (root.kind !== 'object' && root.kind !== 'array') {
      throw new CryptoError('unsupported', `${meta.name} holds no named fields (a plain value or an empty file): Casefile opens credential bundles in JSON, YAML, INI or .env, field by field.`);
    }
    if (this.open.size >= MAX_OPEN) this.close(this.open.keys().next().value!);
    const { duplicates, total } = duplicateKeys(root, format);
    const info: OpenedBundle = {
      ...meta, sessionId: randomBytes(12).toString('hex'), format, fields: maskedFields(root), duplicates, duplicateKeys: total, openedAt: new Date().toISOString(),
    };
    const t = this.now();
    const { unlockSeconds, idleSeconds } = this.limits();
    const session: Session = { info, root, until: t + unlockSeconds * 1000, idleUntil: t + idleSeconds * 1000 };
    this.open.set(info.sessionId, session);
    this.arm(info.sessionId, session);
    return info;
  }

  onExpire(cb: (e: SessionExpired) => void): () => void {
    this.expired.add(cb);
    return () => this.expired.delete(cb);
  }

  list(): OpenedBundle[] { return [...this.open.values()].map((s) => s.info); }

  get(sessionId: string): OpenedBundle {
    return this.session(sessionId).info;
  }

  /** One scalar's text. */
  reveal(sessionId: string, path: Segment[]): { value: string; kind: FieldKind } {
    const session = this.session(sessionId);
    session.idleUntil = this.now() + this.limits().idleSeconds * 1000; // a reveal is use
    this.arm(sessionId, session);
    let node: Node | undefined = session.root;
    for (const [i, seg] of path.entries()) {
      if (node?.kind === 'object') node = entryAt(node, seg, path.slice(0, i + 1));
      else if (node?.kind === 'array' && typeof seg === 'string' && /^\d+$/.test(seg)) node = node.items[Number(seg)];
      else node = undefined;
    }
    if (!node) throw new CryptoError('no_field', `No field ${formatPath(path)} in this file.`);
    if (node.kind === 'object' || node.kind === 'array') throw new CryptoError('no_field', `${formatPath(path)} is ${node.kind === 'object' ? 'a section' : 'a list'}, not a value: reveal one of its fields.`);
    return { value: node.value, kind: node.kind };
  }

  close(sessionId: string): boolean {
    clearTimeout(this.open.get(sessionId)?.timer);
    return this.open.delete(sessionId);
  }

  closeAll(): number {
    const n = this.open.size;
    for (const s of this.open.values()) clearTimeout(s.timer);
    this.open.clear();
    return n;
  }

  /** Unref'd: an open bundle never keeps the process alive. */
  private arm(sessionId: string, s: Session): void {
    clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      if (!this.close(sessionId)) return;
      const { unlockSeconds, idleSeconds } = this.limits();
      const e: SessionExpired = s.until <= s.idleUntil
        ? { sessionId, name: s.info.name, reason: 'period', seconds: unlockSeconds }
        : { sessionId, name: s.info.name, reason: 'idle', seconds: idleSeconds };
      for (const cb of this.expired) cb(e);
    }, Math.max(0, Math.min(s.until, s.idleUntil) - this.now()));
    s.timer.unref();
  }

  private session(id: string) {
    const s = this.open.get(id);
    if (!s) throw new CryptoError('no_session', 'That sealed file is no longer open (closed, or keys were locked): open it again.');
    return s;
  }
}

/**
 * The entry a segment names in an object: a key given once by its name; the nth entry of a repeated key by `{ key, n }`.
 * A repeated key by its bare name names no one entry: said so, with the paths that do (there is no "the" value).
 */
function entryAt(node: Extract<Node, { kind: 'object' }>, seg: Segment, upTo: Segment[]): Node | undefined {
  const key = segmentName(seg);
  const at = node.entries.filter(([k]) => k === key);
  if (typeof seg !== 'string') return at[seg.n - 1]?.[1];
  if (at.length < 2) return at[0]?.[1];
  const each = at.slice(0, 3).map((_, n) => formatPath([...upTo.slice(0, -1), { key, n: n + 1 }]));
  throw new CryptoError('no_field', `${formatPath(upTo)} appears ${at.length} times in this file: name one entry, ${each.join(', ')}${at.length > 3 ? ', …' : ''}.`);
}

export function maskedFields(root: Node): MaskedField[] {
  const out: MaskedField[] = [];
  const walk = (n: Node, path: Segment[]) => {
    if (path.length) out.push({ path, kind: n.kind });
    if (n.kind === 'object') entrySegments(n.entries).forEach((s, i) => walk(n.entries[i]![1], [...path, s]));
    else if (n.kind === 'array') n.items.forEach((c, i) => walk(c, [...path, String(i)]));
  };
  walk(root, []);
  return out;
}

/** The path as formatPath writes it: dots, ["…"] for other names, `#n` after a repeated key's entry. */
export function parsePath(text: string): Segment[] {
  const out: Segment[] = [];
  const re = /\s*(?:\[("(?:[^"\\]|\\.)*")\]|\.?([A-Za-z0-9_-]+))(?:#(\d+))?/y;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || (m[3] !== undefined && !/^[1-9]\d{0,6}$/.test(m[3]))) throw new CryptoError('no_field', `Cannot read the field path "${text.slice(0, 200)}": use dots (db.password), ["…"] for other names and #2 for the second entry of a repeated key (DB_PASSWORD#2).`);
    const key = m[1] !== undefined ? (JSON.parse(m[1]) as string) : m[2]!;
    out.push(m[3] !== undefined ? { key, n: Number(m[3]) } : key);
    pos = re.lastIndex;
  }
  if (!out.length) throw new CryptoError('no_field', 'Give a field path, e.g. db.password.');
  return out;
}
