// The clipboard is cleared after the timeout only when it still holds the copied value.
import { afterEach, expect, it, vi } from 'vitest';
import { ClipboardGuard, type ClipboardLike } from './clipboardGuard';

afterEach(() => { vi.useRealTimers(); });

function fakeClipboard(): ClipboardLike & { text: string } {
  const c = { text: '', readText: () => c.text, writeText: (t: string) => { c.text = t; }, clear: () => { c.text = ''; } };
  return c;
}

it('clears the copied value after the timeout', async () => {
  vi.useFakeTimers();
  const clip = fakeClipboard();
  const g = new ClipboardGuard(clip);
  g.copy('s3cret', 5000);
  expect(clip.text).toBe('s3cret');
  await vi.advanceTimersByTimeAsync(4999);
  expect(clip.text).toBe('s3cret');
  await vi.advanceTimersByTimeAsync(2);
  expect(clip.text).toBe('');
});

it('leaves the clipboard alone when the operator copied something else meanwhile', async () => {
  vi.useFakeTimers();
  const clip = fakeClipboard();
  const g = new ClipboardGuard(clip);
  g.copy('s3cret', 5000);
  clip.writeText('their own text');
  await vi.advanceTimersByTimeAsync(6000);
  expect(clip.text).toBe('their own text');
});

it('a second copy replaces the first timer; clearIfOurs clears at once (quit, lock)', async () => {
  vi.useFakeTimers();
  const clip = fakeClipboard();
  const g = new ClipboardGuard(clip);
  g.copy('one', 5000);
  await vi.advanceTimersByTimeAsync(3000);
  g.copy('two', 5000);
  await vi.advanceTimersByTimeAsync(3000);
  expect(clip.text).toBe('two');
  expect(await g.clearIfOurs()).toBe(true);
  expect(clip.text).toBe('');
  expect(await g.clearIfOurs()).toBe(false);
});
