import { describe, expect, it } from 'vitest';
import { formatUrlState, parseUrlState } from './urlState';

describe('view state in the address', () => {
  it('round-trips case, view, filter, trace and event', () => {
    const s = { caseId: 'c1', view: 'trace' as const, filter: { levels: ['ERROR' as const], text: 'a&b=c', regex: true }, trace: 'k/1?x', event: 42 };
    expect(parseUrlState(formatUrlState(s))).toEqual(s);
  });
  it('keeps the pull view, where a reload during a pull finds it running again', () => {
    expect(parseUrlState(formatUrlState({ caseId: 'c1', view: 'pull' }))).toEqual({ caseId: 'c1', view: 'pull' });
  });
  it('leaves out what is malformed instead of trusting it', () => {
    expect(parseUrlState('?case=c1&view=drop&filter={bad&event=1e400')).toEqual({ caseId: 'c1' });
    expect(parseUrlState(`?filter=${encodeURIComponent(JSON.stringify({ levels: ['LOUD'] }))}`)).toEqual({});
  });
  it('never carries the token', () => {
    expect(formatUrlState({ caseId: 'c1', view: 'timeline' })).not.toContain('token');
    expect(parseUrlState('?token=secret&case=c1')).toEqual({ caseId: 'c1' });
  });
});
