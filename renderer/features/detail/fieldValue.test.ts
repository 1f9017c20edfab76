import { describe, expect, it } from 'vitest';
import { showValue } from './fieldValue';

describe('showValue', () => {
  it('pretty-prints JSON kept in a string', () => {
    expect(showValue('{"a":1,"b":[2]}')).toEqual({ kind: 'block', text: '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}' });
  });
  it('keeps tracebacks as blocks and short strings inline', () => {
    const tb = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: boom';
    expect(showValue(tb)).toEqual({ kind: 'block', text: tb });
    expect(showValue('alice')).toEqual({ kind: 'inline', text: 'alice' });
  });
  it('leaves brace-wrapped non-JSON alone and prints objects and numbers', () => {
    expect(showValue('{not json}')).toEqual({ kind: 'inline', text: '{not json}' });
    expect(showValue({ x: 1 }).kind).toBe('block');
    expect(showValue(42)).toEqual({ kind: 'inline', text: '42' });
  });
});
