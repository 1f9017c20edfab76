import { describe, expect, it } from 'vitest';
import { fitBesideRecord, MESSAGE_MIN_PX } from './fitColumns';

const W: Record<string, number> = { time: 218, level: 84, source: 120, file: 210, logger: 170, host: 150, user: 150 };
const widthOf = (id: string) => W[id] ?? 150;
const BASE = ['time', 'level', 'source', 'file', 'logger', 'message'];

describe('fitBesideRecord', () => {
  it('keeps every column when they fit with Message at its least', () => {
    expect(fitBesideRecord(BASE, widthOf, 2000)).toEqual(BASE);
  });
  it('leaves out File, Logger, Source, Level, then added fields (the earliest first); never Time or Message; order kept', () => {
    const cols = ['time', 'level', 'host', 'source', 'file', 'logger', 'message', 'user'];
    expect(fitBesideRecord(cols, widthOf, 218 + 84 + 150 + 120 + 170 + 150 + MESSAGE_MIN_PX)).toEqual(cols.filter((c) => c !== 'file'));
    expect(fitBesideRecord(cols, widthOf, 218 + 84 + 150 + 150 + MESSAGE_MIN_PX)).toEqual(['time', 'level', 'host', 'message', 'user']);
    expect(fitBesideRecord(cols, widthOf, 218 + 150 + 150 + MESSAGE_MIN_PX)).toEqual(['time', 'host', 'message', 'user']);
    expect(fitBesideRecord(cols, widthOf, 218 + 150 + MESSAGE_MIN_PX)).toEqual(['time', 'message', 'user']);
    expect(fitBesideRecord(cols, widthOf, 100)).toEqual(['time', 'message']);
  });
  it('follows the operator\'s order, and changes nothing without a Message column', () => {
    expect(fitBesideRecord(['message', 'file', 'time'], widthOf, 500)).toEqual(['message', 'time']);
    expect(fitBesideRecord(['time', 'file', 'logger'], widthOf, 300)).toEqual(['time', 'file', 'logger']);
  });
});
