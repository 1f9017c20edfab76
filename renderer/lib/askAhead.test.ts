import { describe, expect, it } from 'vitest';
import { AskAhead } from './askAhead';

describe('AskAhead', () => {
  const asker = () => {
    const sent: { key: string; signal: AbortSignal }[] = [];
    const ahead = new AskAhead<string>();
    const ask = (key: string) => ahead.ask(key, (signal) => { sent.push({ key, signal }); return Promise.resolve(`answer ${key}`); });
    return { ahead, ask, sent };
  };

  it('hands the request asked ahead to the effect with the same key, once', async () => {
    const { ahead, ask, sent } = asker();
    ask('a');
    const taken = ahead.take('a');
    expect(await taken?.answer).toBe('answer a');
    expect(ahead.take('a')).toBeNull();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.signal.aborted).toBe(false);
  });

  it('aborts a request no one takes: replaced by the next, or not the one the effect wants', () => {
    const { ahead, ask, sent } = asker();
    ask('a');
    ask('b');
    expect(sent.map((s) => [s.key, s.signal.aborted])).toEqual([['a', true], ['b', false]]);
    expect(ahead.take('c')).toBeNull();
    expect(sent[1]!.signal.aborted).toBe(true);
  });

  it('does not ask again what was last asked, ahead or by the effect itself', () => {
    const { ahead, ask, sent } = asker();
    ask('a');
    ask('a');
    expect(sent).toHaveLength(1);
    ahead.take('a');
    expect(ahead.asking('a')).toBe(true);
    expect(ahead.asking('b')).toBe(false);
    ask('b');
    expect(sent).toHaveLength(1);
    ask('a');
    expect(sent.map((s) => s.key)).toEqual(['a', 'a']);
  });

  it('an answer that fails and is never taken raises nothing', async () => {
    const ahead = new AskAhead<string>();
    ahead.ask('a', () => Promise.reject(new Error('gone')));
    ahead.ask('b', () => Promise.resolve('b'));
    await expect(ahead.take('b')?.answer).resolves.toBe('b');
  });
});
