// Search patterns are checked with RE2 (re2js), the syntax DuckDB's regexp_matches runs, before any query is sent:
// a pattern V8 accepts but RE2 refuses (look-around, back-references) is reported once, here, instead of failing the
// table and the timeline separately. Both search modes ignore case; a pattern may opt out with (?-i).
// RE2 is a third of the renderer's code: this module is loaded on first use (lib/regex.ts), not before first paint.
import { RE2JS } from 're2js';

/** Why RE2 refuses the pattern, in the operator's words; null when it compiles. */
export function regexProblem(pattern: string): string | null {
  try {
    RE2JS.compile(`(?i)${pattern}`);
    return null;
  } catch (e) {
    const why = (e as Error).message.replace(/^error parsing regexp:\s*/, '').replace(/: `\(\?i\)/, ': `');
    return `${why} — patterns use RE2 syntax: no look-around or back-references`;
  }
}
