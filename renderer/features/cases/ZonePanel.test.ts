// The question before a zone change: what it re-times now; refused while a job writing the case runs.
import { describe, expect, it } from 'vitest';
import { zoneBusy } from '../../../shared/contract';
import { planSentence } from './ZonePanel';

const plan = { to: 'Asia/Tokyo', from: ['UTC'], events: 1200, files: 3, blocked: { files: 0, examples: [] }, current: 'UTC' };

describe('planSentence', () => {
  it('asks with the counts of now', () => {
    expect(planSentence(plan, 'UTC')).toEqual({ ask: '1,200 events in 3 files were read in UTC; they will be re-timed to Asia/Tokyo.', refused: null });
  });
  it('refuses while a job writing the case runs, in the engine\'s sentence, with no question', () => {
    const busy = 'An import is running in this case. Change the site zone when it has finished.';
    expect(planSentence({ ...plan, busy }, 'UTC')).toEqual({ ask: null, refused: busy });
  });
  it('says a job that only reads the case (an export) is waited for', () => {
    expect(planSentence({ ...plan, waitsFor: ['export'] }, 'UTC').ask)
      .toBe("1,200 events in 3 files were read in UTC; they will be re-timed to Asia/Tokyo. The case's export job is running: the change waits for it.");
  });
});

describe('zoneBusy', () => {
  it('names the job writing the case; jobs that do not write it (export, derived work) leave the change free', () => {
    expect(zoneBusy(['export', 'correlate', 'text-index'])).toBeNull();
    expect(zoneBusy(['export', 'import'])).toBe('An import is running in this case. Change the site zone when it has finished.');
    expect(zoneBusy(['pull'])).toBe('A pull is running in this case. Change the site zone when it has finished.');
    expect(zoneBusy(['retime'])).toBe('A change of the site zone is running in this case. Change the site zone when it has finished.');
  });
});
