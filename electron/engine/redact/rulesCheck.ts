// What the engine says of client rules while they are edited, before a save refuses them or a test runs them: each
// pattern RE2 refuses, named by row and field as the editor names its own errors (renderer rulesDraft.ts).
import type { RedactionRules } from '../../../shared/redaction';
import { compilePattern } from './client';

export function patternErrors(rules: Pick<RedactionRules, 'patterns'>): string[] {
  return rules.patterns.flatMap((p, i) => {
    try {
      compilePattern(p.regex);
      return [];
    } catch (e) {
      return [`pattern ${i + 1} regex: not a valid RE2 expression: ${(e as Error).message}`];
    }
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
