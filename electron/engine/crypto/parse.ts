// A decrypted bundle (JSON, YAML, INI or .env) as one tree of named nodes. Scalars keep their text; objects keep
// their keys in order as pairs (never as JS object keys, so `__proto__` in a file is just a name), every entry of a
// repeated key too, with the line it is on: a credential file that gives a key twice is shown with both values and
// a warning, never reduced to one of them in silence.
import YAML, { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, type Document } from 'yaml';
import { MAX_DUPLICATE_KEYS, MAX_DUPLICATE_LINES, MAX_FIELD_NAME_CHARS, type DuplicateKey } from '../../../shared/contract/sealed';
import { formatPath, type Segment } from '../../../shared/fieldPath';
import { CryptoError } from './errors';

export type BundleFormat = 'json' | 'yaml' | 'ini' | 'env';
export type ScalarKind = 'string' | 'number' | 'boolean' | 'null';
/** An object's entry: its key, its value, and the line (from 1) its key is on where the parser says. */
export type Entry = [key: string, node: Node, line?: number];
export type Node =
  | { kind: 'object'; entries: Entry[] }
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
      // A repeated key is kept (duplicateKeys names it); fromYaml bounds alias expansion ("billion laughs") by its field count.
      case 'yaml': node = fromYaml(text, {}); break;
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

/** Back to plain data (for a profile the schema validates, once duplicateKeys found none: a repeated key's last
 * entry would win here); objects are null-prototype so no key is special. */
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
 * read through YAML's parser (JSON is YAML), which keeps each number as written and every member of a repeated key,
 * with its line (JSON.parse keeps the last member only). Should YAML's parser refuse JSON that JSON.parse takes, the
 * JSON.parse tree is used, numbers as JS prints them (none is known with yaml 2.9: a 2,000-character key parses).
 */
function parseJson(text: string): Node {
  const checked = fromValue(JSON.parse(text), 0);
  countNodes(checked);
  try {
    return fromYaml(text, { schema: 'json' });
  } catch (e) {
    if (e instanceof CryptoError) throw e;
    return checked;
  }
}

const tooDeep = () => new CryptoError('corrupt', `The decrypted content nests deeper than ${MAX_DEPTH} levels.`);
const tooMany = () => new CryptoError('corrupt', `The decrypted content has more than ${MAX_NODES} fields.`);

/**
 * A parsed YAML (or JSON) document as one tree. Numbers keep their text as written: toJS would make `007` 7 and round
 * a 20-digit account number, and a reveal must give what the file says. Aliases are followed, each copy counted.
 */
function fromYaml(text: string, options: { schema?: 'json' }): Node {
  const lines = new LineCounter();
  const doc: Document.Parsed = YAML.parseDocument(text, { ...options, uniqueKeys: false, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length) throw doc.errors[0]!;
  const lineOf = (x: unknown): number | undefined => (isNode(x) && x.range ? lines.linePos(x.range[0]).line : undefined);
  let count = 0;
  // A key is a name the masked tree shows: an alias (`? *pw`) or a list or map as a key would show the values it
  // stands for, unrevealed, so such a key is refused (where, never what).
  const keyOf = (k: unknown): string => {
    if (isScalar(k)) return typeof k.value === 'string' ? k.value : k.source ?? String(k.value);
    if (k === null || k === undefined) return '';
    const line = lineOf(k);
    throw new CryptoError('corrupt', `The decrypted content has a key that is not a plain name${line ? ` (line ${line.toLocaleString('en-US')})` : ''}: an alias or a list or map used as a key. Write each key as plain text.`);
  };
  const walk = (n: unknown, depth: number): Node => {
    if (++count > MAX_NODES) throw tooMany();
    if (depth > MAX_DEPTH) throw tooDeep();
    if (isAlias(n)) return walk(n.resolve(doc), depth);
    if (isMap(n)) {
      const entries: Entry[] = [];
      for (const p of n.items) entries.push([keyOf(p.key), walk(p.value, depth + 1), lineOf(p.key) ?? lineOf(p.value)]);
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

/** Counts the tree's nodes (at most MAX_NODES) and checks its keys fit a field path (at most MAX_FIELD_NAME_CHARS). */
function countNodes(root: Node): void {
  let n = 0;
  const walk = (x: Node) => {
    if (++n > MAX_NODES) throw tooMany();
    if (x.kind === 'object') {
      for (const [key, c, line] of x.entries) {
        if (key.length > MAX_FIELD_NAME_CHARS) throw keyTooLong(line);
        walk(c);
      }
    } else if (x.kind === 'array') x.items.forEach(walk);
  };
  walk(root);
}

const keyTooLong = (line?: number) => new CryptoError('corrupt', `The decrypted content has a key of more than ${MAX_FIELD_NAME_CHARS.toLocaleString('en-US')} characters${line ? ` (line ${line.toLocaleString('en-US')})` : ''}: too long to be a field's name. Check that this is the file you meant.`);

/**
 * Each entry's path segment: its key, or `{ key, n }` (n from 1, in file order) for every entry of a key the object
 * repeats, so each entry is its own field with its own path, the same each time the file is opened.
 */
export function entrySegments(entries: readonly Entry[]): Segment[] {
  const total = keyCounts(entries);
  const seen = new Map<string, number>();
  return entries.map(([key]) => {
    if (total.get(key)! < 2) return key;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return { key, n };
  });
}

function keyCounts(entries: readonly Entry[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const [key] of entries) total.set(key, (total.get(key) ?? 0) + 1);
  return total;
}

/** What a reader of each format does with a repeated key, said after the key and its lines. */
const LOADERS: Record<BundleFormat, string> = {
  json: 'Most loaders use the last one.',
  env: 'Most loaders use the last one.',
  yaml: 'Loaders differ: most use the last one, some refuse the file.',
  ini: 'Loaders differ: most use the last one, some refuse the file.',
};

/** `db.password appears 2 times (lines 3 and 9)`: the key's path and where, never a value. */
export function duplicateText(d: Pick<DuplicateKey, 'path' | 'count' | 'lines'>): string {
  const shown = [...new Set(d.lines)].map((l) => l.toLocaleString('en-US')); // a one-line JSON file: line 1, once
  const more = d.count - d.lines.length;
  const where = !shown.length ? ''
    : more > 0 ? ` (lines ${shown.join(', ')} and ${more.toLocaleString('en-US')} more)`
      : ` (line${shown.length > 1 ? 's' : ''} ${shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)!}` : shown[0]!})`;
  return `${formatPath(d.path)} appears ${d.count.toLocaleString('en-US')} times${where}`;
}

/**
 * Every key an object of the tree gives more than once, in file order: the first MAX_DUPLICATE_KEYS of them, and how
 * many there are in all. Key names and line numbers only.
 */
export function duplicateKeys(root: Node, format: BundleFormat): { duplicates: DuplicateKey[]; total: number } {
  const duplicates: DuplicateKey[] = [];
  let total = 0;
  const walk = (n: Node, path: Segment[]) => {
    if (n.kind === 'array') { n.items.forEach((c, i) => walk(c, [...path, String(i)])); return; }
    if (n.kind !== 'object') return;
    const byKey = new Map<string, Entry[]>(); // in order of each key's first entry
    for (const e of n.entries) {
      const at = byKey.get(e[0]);
      if (at) at.push(e); else byKey.set(e[0], [e]);
    }
    for (const [key, at] of byKey) {
      if (at.length < 2 || ++total > MAX_DUPLICATE_KEYS) continue;
      const lines = at.some(([, , l]) => l === undefined) ? [] : at.slice(0, MAX_DUPLICATE_LINES).map(([, , l]) => l!);
      const d = { path: [...path, key], count: at.length, lines };
      duplicates.push({ ...d, message: `${duplicateText(d)}. ${LOADERS[format]}` });
    }
    entrySegments(n.entries).forEach((s, i) => walk(n.entries[i]![1], [...path, s]));
  };
  walk(root, []);
  return { duplicates, total };
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
  const root: Entry[] = [];
  const sections = new Map<string, Entry[]>();
  let current = root;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      // A section met again continues the first one (its keys then repeat only if given again).
      const name = section[1]!.trim();
      const prev = sections.get(name);
      if (prev) { current = prev; continue; }
      const entries: Entry[] = [];
      sections.set(name, entries);
      root.push([name, { kind: 'object', entries }, i + 1]);
      current = entries;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!kv) throw new CryptoError('corrupt', `The decrypted content is not valid INI (line ${i + 1}).`);
    current.push([kv[1]!, { kind: 'string', value: unquote(kv[2]!) }, i + 1]);
  }
  return { kind: 'object', entries: root };
}

/** `KEY=value`, optional `export `, quotes, `#` comments (outside quotes). */
function parseEnv(text: string): Node {
  const entries: Entry[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const kv = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!kv) throw new CryptoError('corrupt', `The decrypted content is not valid .env (line ${i + 1}).`);
    let value = kv[2]!;
    if (!/^["']/.test(value)) value = value.replace(/\s+#.*$/, '');
    entries.push([kv[1]!, { kind: 'string', value: unquote(value) }, i + 1]);
  }
  return { kind: 'object', entries };
}
