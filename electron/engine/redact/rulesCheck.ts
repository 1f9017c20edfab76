// What the engine says of client rules while they are edited, before a save refuses them or a test runs them: each
// pattern RE2 refuses, named by row and field as the editor names its own errors (renderer rulesDraft.ts), or that
// can match empty text; and what a pattern does to the editor's sample lines.
import type { RedactionRules } from '../../../shared/redaction';
import { canMatchEmpty, compilePattern, emptyMatchRefusal, isBoundary, ruleName } from './client';
import type { GoMatch, GoRegex } from './regex';

/** Said of one pattern row (from 1): an error refuses the rule set (a save, a test, an export), a warning does not. */
export interface PatternNote { pattern: number; level: 'error' | 'warning'; message: string }

/** Whether one of the matches covers the whole of a line of more than one word (one id alone on a line is what a
 * pattern is for), as the detector keeps matches: non-empty, on word boundaries. */
function wholeLine(matches: readonly GoMatch[], line: string): boolean {
  const t = line.trim();
  if (!/\s/.test(t)) return false;
  const from = line.indexOf(t);
  return matches.some((m) => m.start <= from && m.end >= from + t.length && m.end > m.start && isBoundary(line, m.start, m.end));
}

/**
 * Per pattern: RE2's refusal; else a pattern that can match empty text (the probes in client.ts, as an export refuses
 * it), else one that matches empty text in a sample line (a place the probes do not show); and a warning for one that
 * takes a whole sample line (likely too broad). Each sample line is matched once per pattern, and only where it holds
 * a match: the editor asks on every typing pause, with up to 400,000 characters of sample.
 */
export function patternNotes(rules: Pick<RedactionRules, 'patterns'>, sample: readonly string[] = []): PatternNote[] {
  return rules.patterns.flatMap((p, i): PatternNote[] => {
    const n = i + 1;
    let re: GoRegex;
    try {
      re = compilePattern(p.regex);
    } catch (e) {
      return [{ pattern: n, level: 'error', message: `pattern ${n} regex: not a valid RE2 expression: ${(e as Error).message}` }];
    }
    if (canMatchEmpty(re)) return [{ pattern: n, level: 'error', message: emptyMatchRefusal(p.type, n) }];
    let whole = -1;
    for (const [j, line] of sample.entries()) {
      if (!re.test(line)) continue;
      const matches = re.matches(line);
      const empty = matches.find((m) => m.end === m.start);
      if (empty) return [{ pattern: n, level: 'error', message: emptyMatchRefusal(p.type, n, `in sample line ${j + 1} (at character ${empty.start + 1})`) }];
      if (whole < 0 && wholeLine(matches, line)) whole = j;
    }
    return whole < 0 ? [] : [{ pattern: n, level: 'warning', message: `${ruleName(p.type, n)} matches the whole of sample line ${whole + 1}, so it would replace that line whole: it is likely too broad.` }];
  });
}

// A host name as the detectors match it (labels of letters, digits, `_` and `-`; any case; a domain may start with
// dots, which are dropped). Anything else is looked for literally and is in no log line: a glob, a URL, an address.
const LABEL = '[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'i');

/** The host name inside what the operator wrote (`*.acme.com`, `https://acme.com/x`, `@acme.com`, `acme.com.`). */
function meantHost(v: string): string | null {
  const h = v.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]*@/, '').replace(/^[*@.]+/, '').replace(/[/?#].*$/, '').replace(/:\d+$/, '').replace(/\.+$/, '');
  return HOST_NAME.test(h) ? h : null;
}

/** Domains and hosts written so that they match nothing, each with the host name it most likely meant. */
export function hostShapeWarnings(rules: Pick<RedactionRules, 'domains' | 'hosts'>): string[] {
  const check = (what: 'domain' | 'host', v: string) => {
    if (HOST_NAME.test(what === 'domain' ? v.replace(/^\.+/, '') : v)) return [];
    const near = meantHost(v);
    const hint = near ? ` (did you mean "${near}"?${what === 'domain' && v.trim().startsWith('*') ? ' a domain covers every host under it' : ''})` : '';
    return [`${what} "${v}" is not a host name, so it matches nothing${hint}`];
  };
  return [...rules.domains.flatMap((d) => check('domain', d)), ...rules.hosts.flatMap((h) => check('host', h))];
}

/** `^` first (after flags such as `(?i)`) or an unescaped `$` last: the pattern runs over the whole line, so these
 * anchor it to the line's ends, where an id in a log line never is. */
const anchored = (re: string) => /^(?:\(\?[a-zA-Z]+\))?\^/.test(re) || /(?:^|[^\\])(?:\\\\)*\$$/.test(re);

/** Patterns and words that compile and load but, as written, find nothing in a log line. */
export function matchShapeWarnings(rules: Pick<RedactionRules, 'patterns' | 'words'>): string[] {
  return [
    ...rules.patterns.flatMap((p, i) => (anchored(p.regex)
      ? [`pattern ${i + 1} (${p.type}) is anchored with ^ or $ to the start or end of the whole line, so it finds nothing inside one: patterns are already matched as whole words, drop the anchors`]
      : [])),
    // the word automaton matches an entry as written, its spaces too, and then wants a word boundary beyond them
    ...rules.words.flatMap((w, i) => w.words.filter((x) => x !== x.trim() && x.trim()).map((x) =>
      `word list ${i + 1} (${w.type}): "${x}" has spaces at its ends, so it matches nothing (did you mean "${x.trim()}"?)`)),
  ];
}
