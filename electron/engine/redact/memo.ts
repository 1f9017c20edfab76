// A bounded memo keyed by exact text, for results that depend on the text alone (a redaction with a fixed key and
// detectors, a re-scan verdict). Two generations: when the young one is full the old one is dropped and the young
// one becomes old, and a hit in the old one is moved back to the young one, so texts that keep recurring (a message
// template, a logger, a path) survive a stream of texts seen once (the raw lines). Bounded by entries and by the
// characters of its keys, so a run of long texts cannot hold much memory.

/** Texts longer than this are not remembered. */
export const MEMO_TEXT = 65_536;

export class TextMemo<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private chars = 0;

  /** Per generation: at most `entries` texts of `chars` characters in all. */
  constructor(private readonly entries = 20_000, private readonly maxChars = 4_000_000) {}

  get(text: string): V | undefined {
    const y = this.young.get(text);
    if (y !== undefined) return y;
    const o = this.old.get(text);
    if (o !== undefined) {
      this.old.delete(text);
      this.set(text, o);
    }
    return o;
  }

  set(text: string, value: V): void {
    if (text.length > MEMO_TEXT) return;
    if (this.young.size >= this.entries || this.chars + text.length > this.maxChars) {
      this.old = this.young;
      this.young = new Map();
      this.chars = 0;
    }
    this.young.set(text, value);
    this.chars += text.length;
  }
}
