// A decrypted bundle (JSON, YAML, INI or .env) as one tree of named nodes. Scalars keep their text; objects keep
// their keys in order as pairs (never as JS object keys, so `__proto__` in a file is just a name).
import YAML, { isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';
import { CryptoError } from './errors';

export type BundleFormat = 'json' | 'yaml' | 'ini' | 'env';
export type ScalarKind = 'string' | 'number' | 'boolean' | 'null';
export type Node =
  | { kind: 'object'; entries: [string, Node][] }
  | { kind: 'array'; items: Node[] }
  | { kind: ScalarKind; value: string };

export const MAX_BUNDLE_MIB = 4;
export const MAX_BUNDLE_BYTES = MAX_BUNDLE_MIB << 20;
export const TOO_LARGE = `The decrypted file is over ${MAX_BUNDLE_MIB} MiB: too large to be a credential bundle or profile (small text files). Check that this is the file you meant.`;
const MAX_NODES = 20_000;
const MAX_DEPTH = 32;

export const NOT_TEXT = 'The decrypted content is not text (binary, or not UTF-8): Casefile opens credential bundles in JSON, YAML, INI or .env. Check that this is the file you meant.';

/**
 * The decrypted bytes as text. Bytes that are not UTF-8 text (an image, an archive, a key in binary form) are said
 * to be so: decoded leniently they fell through to the YAML parser and read as "not valid YAML".
 */
export function bundleText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CryptoError('corrupt', NOT_TEXT);
  }
  if (text.includes('\0')) throw new CryptoError('corrupt', NOT_TEXT);
  return text;
}

/** The format from the file name under its `.gpg`/`.pgp`/`.asc` suffix, else from the content. */
export function detectFormat(name: string, text: string): BundleFormat {
  const inner = name.toLowerCase().replace(/\.(gpg|pgp|asc|sealed)$/, '');
  if (/\.json$/.test(inner)) return 'json';
  if (/\.ya?ml$/.test(inner)) return 'yaml';
  if (/\.(ini|cfg|conf)$/.test(inner)) return 'ini';
  if (/(^|[/.])env$|\.env\.[\w-]+$/.test(inner)) return 'env';
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[{') || t.startsWith('[\n') || t === '[]') return 'json';
  const lines = t.split(/\r?\n/).filter((l) => l.trim() && !/^\s*[#;]/.test(l));
  if (lines.some((l) => /^\s*\[[^\]]+\]\s*$/.test(l))) return 'ini';
  if (lines.length && lines.every((l) => /^(export\s+)?[A-Za-z_][A-Za-z0-9_.]*=/.test(l))) return 'env';
  return 'yaml';
}

export function parseBundle(text: string, format: BundleFormat): Node {
  if (text.length > MAX_BUNDLE_BYTES) throw new CryptoError('corrupt', TOO_LARGE);
  let node: Node;
  try {
    switch (format) {
      case 'json': node = parseJson(text); break;
      // uniqueKeys rejects ambiguous duplicates; fromYaml bounds alias expansion ("billion laughs") by its field count.
      case 'yaml': node = fromYaml(YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false })); break;
      case 'ini': node = parseIni(text); break;
      case 'env': node = parseEnv(text); break;
    }
  } catch (e) {
    if (e instanceof CryptoError) throw e;
    // The parser's message can quote the line it stopped at: keep only where, never what.
    const where = /line (\d+)|position (\d+)/i.exec(e instanceof Error ? e.message : '');
    throw new CryptoError('corrupt', `The decrypted content is not valid ${format.toUpperCase()}${where ? ` (${where[0]})` : ''}.`);
  }
  countNodes(node);
  return node;
}

/** Back to plain data (for a profile the schema validates); objects are null-prototype so no key is special. */
export function toValue(n: Node): unknown {
  switch (n.kind) {
    case 'object': {
      const o = Object.create(null) as Record<string, unknown>;
      for (const [k, v] of n.entries) o[k] = toValue(v);
      return o;
    }
    case 'array': return n.items.map(toValue);
    case 'number': return /^[-+]?\.inf$/i.test(n.value) ? (n.value.startsWith('-') ? -Infinity : Infinity) : Number(n.value);
    case 'boolean': return n.value === 'true';
    case 'null': return null;
    case 'string': return n.value;
  }
}

/**
 * JSON.parse checks the text (its errors give the position) and the shape is bounded on its value; the tree is then
 * read through YAML's parser (JSON is YAML), which keeps each number as written. A key YAML cannot take (over 1024
 * characters) keeps JSON.parse's tree, numbers as JS prints them.
 */
function parseJson(text: string): Node {
  const checked = fromValue(JSON.parse(text), 0);
  countNodes(checked);
  const doc = YAML.parseDocument(text, { schema: 'json', uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length) return checked;
  return fromYaml(doc);
}

const tooDeep = () => new CryptoError('corrupt', `The decrypted content nests deeper than ${MAX_DEPTH} levels.`);
const tooMany = () => new CryptoError('corrupt', `The decrypted content has more than ${MAX_NODES} fields.`);

/**
 * A parsed YAML (or JSON) document as one tree. Numbers keep their text as written: toJS would make `007` 7 and round
 * a 20-digit account number, and a reveal must give what the file says. Aliases are followed, each copy counted.
 */
function fromYaml(doc: Document.Parsed): Node {
  if (doc.errors.length) throw doc.errors[0]!;
  let count = 0;
  const keyOf = (k: unknown): string => {
    if (isAlias(k)) return keyOf(k.resolve(doc));
    if (isScalar(k)) return typeof k.value === 'string' ? k.value : k.source ?? String(k.value);
    return k === null || k === undefined ? '' : JSON.stringify(doc.createNode(k).toJSON());
  };
  const walk = (n: unknown, depth: number): Node => {
    if (++count > MAX_NODES) throw tooMany();
    if (depth > MAX_DEPTH) throw tooDeep();
    if (isAlias(n)) return walk(n.resolve(doc), depth);
    if (isMap(n)) {
      const entries: [string, Node][] = [];
      for (const p of n.items) setEntry(entries, keyOf(p.key), walk(p.value, depth + 1));
      return { kind: 'object', entries };
    }
    if (isSeq(n)) return { kind: 'array', items: n.items.map((x) => walk(x, depth + 1)) };
    if (isScalar(n) && (typeof n.value === 'number' || typeof n.value === 'bigint')) return { kind: 'number', value: n.source ?? String(n.value) };
    // A tagged scalar YAML turns into an object (!!binary bytes, a !!timestamp Date) is shown as written too.
    if (isScalar(n) && (n.value instanceof Uint8Array || n.value instanceof Date)) return { kind: 'string', value: n.source ?? String(n.value) };
    return fromValue(isScalar(n) ? n.value : n, depth);
  };
  return walk(doc.contents, 0);
}

function fromValue(v: unknown, depth: number): Node {
  if (depth > MAX_DEPTH) throw tooDeep();
  if (v === null || v === undefined) return { kind: 'null', value: '' };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'number' || typeof v === 'bigint') return { kind: 'number', value: String(v) };
  if (typeof v === 'boolean') return { kind: 'boolean', value: String(v) };
  if (v instanceof Date) return { kind: 'string', value: v.toISOString() };
  if (Array.isArray(v)) return { kind: 'array', items: v.map((x) => fromValue(x, depth + 1)) };
  if (v instanceof Map) return { kind: 'object', entries: [...v.entries()].map(([k, x]) => [String(k), fromValue(x, depth + 1)]) };
  if (typeof v === 'object') return { kind: 'object', entries: Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromValue(x, depth + 1)]) };
  return { kind: 'string', value: String(v) };
}

function countNodes(root: Node): void {
  let n = 0;
  const walk = (x: Node) => {
    if (++n > MAX_NODES) throw tooMany();
    if (x.kind === 'object') x.entries.forEach(([, c]) => walk(c));
    else if (x.kind === 'array') x.items.forEach(walk);
  };
  walk(root);
}

/** A repeated key replaces the earlier value in place: one path, one field, the value a shell or dotenv would use. */
const entryIndex = new WeakMap<[string, Node][], Map<string, number>>(); // a 4 MiB file holds ~400k lines: no scans
function setEntry(entries: [string, Node][], key: string, node: Node): void {
  let index = entryIndex.get(entries);
  if (!index) entryIndex.set(entries, (index = new Map()));
  const at = index.get(key);
  if (at === undefined) { index.set(key, entries.length); entries.push([key, node]); } else entries[at] = [key, node];
}

function unquote(v: string): string {
  const t = v.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.endsWith('"')) || (t[0] === '\'' && t.endsWith('\'')))) {
    const inner = t.slice(1, -1);
    return t[0] === '"' ? inner.replace(/\\(["\\nrt])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c) : inner;
  }
  return t;
}

/** `[section]` then `key = value` or `key: value`; `;`/`#` comments; keys before any section sit at the top. */
function parseIni(text: string): Node {
  const root: [string, Node][] = [];
  let current = root;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      // A section met again continues the first one.
      const name = section[1]!.trim();
      const seen = entryIndex.get(root)?.get(name);
      const prev = seen === undefined ? undefined : root[seen]![1];
      if (prev?.kind === 'object') { current = prev.entries; continue; }
      const entries: [string, Node][] = [];
      setEntry(root, name, { kind: 'object', entries });
      current = entries;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!kv) throw new CryptoError('corrupt', `The decrypted content is not valid INI (line ${i + 1}).`);
    setEntry(current, kv[1]!, { kind: 'string', value: unquote(kv[2]!) });
  }
  return { kind: 'object', entries: root };
}

/** `KEY=value`, optional `export `, quotes, `#` comments (outside quotes). */
function parseEnv(text: string): Node {
  const entries: [string, Node][] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const kv = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!kv) throw new CryptoError('corrupt', `The decrypted content is not valid .env (line ${i + 1}).`);
    let value = kv[2]!;
    if (!/^["']/.test(value)) value = value.replace(/\s+#.*$/, '');
    setEntry(entries, kv[1]!, { kind: 'string', value: unquote(value) });
  }
  return { kind: 'object', entries };
}
