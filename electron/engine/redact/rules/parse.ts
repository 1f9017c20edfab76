// gitleaks configuration (TOML) to plain data: the fields Casefile's port of gitleaks' detector uses.
// Accepts the current layout ([[allowlists]], [[rules.allowlists]]) and the legacy singular [allowlist] tables.
import { parse } from 'smol-toml';

export interface GitleaksAllowlist {
  description?: string;
  /** 'AND': every configured check must pass; default 'OR'. Only regexes and stopwords apply to log lines. */
  condition?: 'AND' | 'OR';
  /** What the regexes are matched against: the secret (default), the whole match or the line. */
  regexTarget?: 'secret' | 'match' | 'line';
  regexes: string[];
  stopwords: string[];
  /** Set when the allowlist also needs a path or commit: those never hold for an event, so under AND it cannot allow. */
  needsPathOrCommit: boolean;
}

export interface GitleaksRule {
  id: string;
  description: string;
  regex?: string;
  secretGroup?: number;
  entropy?: number;
  keywords: string[];
  path?: string;
  allowlists: GitleaksAllowlist[];
}

export interface GitleaksConfig {
  allowlists: GitleaksAllowlist[];
  rules: GitleaksRule[];
}

type Table = Record<string, unknown>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const tables = (v: unknown): Table[] =>
  Array.isArray(v) ? (v as Table[]) : v && typeof v === 'object' ? [v as Table] : [];

function allowlist(t: Table): GitleaksAllowlist {
  const condition = String(t.condition ?? 'OR').toUpperCase();
  const target = t.regexTarget ?? 'secret';
  if (condition !== 'AND' && condition !== 'OR') throw new Error(`allowlist condition ${condition} is not AND or OR`);
  if (target !== 'secret' && target !== 'match' && target !== 'line') throw new Error(`regexTarget ${String(target)} is unknown`);
  return {
    ...(typeof t.description === 'string' ? { description: t.description } : {}),
    condition,
    regexTarget: target,
    regexes: strings(t.regexes),
    stopwords: strings(t.stopwords).map((w) => w.toLowerCase()),
    needsPathOrCommit: strings(t.paths).length > 0 || strings(t.commits).length > 0,
  };
}

export function parseGitleaksToml(text: string): GitleaksConfig {
  const doc = parse(text) as Table;
  const rules = tables(doc.rules).map((r): GitleaksRule => {
    if (typeof r.id !== 'string') throw new Error('a rule has no id');
    return {
      id: r.id,
      description: typeof r.description === 'string' ? r.description : '',
      ...(typeof r.regex === 'string' ? { regex: r.regex } : {}),
      ...(typeof r.secretGroup === 'number' ? { secretGroup: r.secretGroup } : {}),
      ...(typeof r.entropy === 'number' ? { entropy: r.entropy } : {}),
      keywords: strings(r.keywords).map((k) => k.toLowerCase()),
      ...(typeof r.path === 'string' ? { path: r.path } : {}),
      allowlists: [...tables(r.allowlist), ...tables(r.allowlists)].map(allowlist),
    };
  });
  return { allowlists: [...tables(doc.allowlist), ...tables(doc.allowlists)].map(allowlist), rules };
}
