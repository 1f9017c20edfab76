// The search's case rule, and the RE2 check of a pattern (lib/regexCheck.ts) loaded only when a pattern is checked:
// RE2 is a third of the renderer's code, and the first paint of a case does not need it.

export const CASE_RULE = 'ignores case';

let loading: Promise<typeof import('./regexCheck')> | null = null;
const load = () => (loading ??= import('./regexCheck'));

/** Starts loading the checker ahead of use (the regex box was ticked). */
export function preloadRegexCheck(): void { void load(); }

/** Why RE2 refuses the pattern, in the operator's words; null when it compiles. */
export async function regexProblem(pattern: string): Promise<string | null> {
  return (await load()).regexProblem(pattern);
}
