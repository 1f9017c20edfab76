// The question before a zone change: what it re-times now, and that an import running on the case is waited for.
import { describe, expect, it } from 'vitest';
import { planSentence } from './ZonePanel';

const plan = { to: 'Asia/Tokyo', from: ['UTC'], events: 1200, files: 3, blocked: { files: 0, examples: [] }, current: 'UTC' };

describe('planSentence', () => {
  it('asks with the counts of now', () => {
    expect(planSentence(plan, 'UTC')).toEqual({ ask: '1,200 events in 3 files were read in UTC; they will be re-timed to Asia/Tokyo.', refused: null });
  });
  it('says an import running on the case is waited for and its events re-timed too', () => {
    expect(planSentence({ ...plan, waitsFor: ['import'] }, 'UTC').ask)
      .toBe("1,200 events in 3 files were read in UTC; they will be re-timed to Asia/Tokyo. The case's import job is running: the change waits for it, and also re-times the events the import reads in UTC.");
  });
});
