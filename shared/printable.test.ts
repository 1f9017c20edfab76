// printable() for people, printableJson() for scripts: the first shows every control, bidi and zero-width character
// as an escape; the second leaves JSON that parses to exactly the same strings.
import { describe, expect, it } from 'vitest';
import { printable, printableJson } from './printable';

const hostile = 'a\u001b]0;T\u0007b\u0008\r\n\u009b2J \u202egol.exe \u200b\u200d\u2028\u2066\ufeff\u061c z';

describe('printable', () => {
  it('escapes C0, C1, bidi, zero-width and line-separator characters, and nothing else', () => {
    expect(printable(hostile)).toBe('a\\x1b]0;T\\x07b\\x08\\x0d\\x0a\\x9b2J \\u202egol.exe \\u200b\\u200d\\u2028\\u2066\\ufeff\\u061c z');
    expect(printable('plain ascii, é, 日本, 👍')).toBe('plain ascii, é, 日本, 👍');
  });
  it('printableJson keeps JSON exact: it parses back to the same value, with none of those characters raw', () => {
    const value = { [hostile]: [hostile, 1, null] };
    const json = printableJson(JSON.stringify(value, null, 2));
    expect(JSON.parse(json)).toEqual(value);
    for (const c of ['\u009b', '\u202e', '\u200b', '\u200d', '\u2028', '\u2066', '\ufeff', '\u061c']) expect(json).not.toContain(c);
    expect(json).toContain('\\u202egol.exe');
  });
});
