import { describe, expect, it } from 'vitest';
import type { EventRow } from '../../../shared/domain';
import { stepGaps, traceLayout } from './layout';

const ev = (id: number, source: string, ts: string | null, level = 'INFO'): EventRow => ({
  id, ts, tsText: ts, source, file: 'f.log', line: id, lineCount: 1, level, logger: null, message: 'm', parseStatus: 'ok', bundle: 'b',
});

describe('traceLayout', () => {
  it('makes one lane per source ordered by first event, with spans and gaps', () => {
    const l = traceLayout([
      ev(1, 'dashboard', '2023-07-30T00:00:00.000Z'),
      ev(2, 'celery', '2023-07-30T00:00:02.000Z'),
      ev(3, 'dashboard', '2023-07-30T00:00:01.000Z'),
      ev(4, 'celery', '2023-07-30T00:00:10.000Z', 'ERROR'),
      ev(5, 'system', null),
    ]);
    expect(l.lanes.map((x) => x.source)).toEqual(['dashboard', 'celery']);
    expect(l.lanes[0]).toMatchObject({ first: Date.parse('2023-07-30T00:00:00Z'), last: Date.parse('2023-07-30T00:00:01Z'), gapMs: null });
    expect(l.lanes[1]?.gapMs).toBe(1000);
    expect(l.lanes[1]?.events).toHaveLength(2);
    expect(l.t1 - l.t0).toBe(10_000);
    expect(l.untimed).toBe(1);
  });
  it('labels the step between consecutive events and skips untimed ones', () => {
    expect(stepGaps([
      ev(1, 'a', '2023-07-30T00:00:00.000Z'), ev(2, 'a', null), ev(3, 'b', '2023-07-30T00:00:00.250Z'),
    ])).toEqual([null, null, 250]);
  });
});
