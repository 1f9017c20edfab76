// The tester's lines from a pasted sample, within what one redact.test takes (the contract's bounds): a sample past
// them is cut and the editor says where, instead of the engine refusing the whole test with a schema path.
import { TESTER_MAX_CHARS, TESTER_MAX_LINES } from '../../../shared/contract/redact';

export interface Sample {
  /** Non-blank lines, the first TESTER_MAX_LINES, each at most TESTER_MAX_CHARS long. */
  lines: string[];
  /** Line numbers in the pasted text (from 1, blank lines counted) of the lines tested only in part. */
  cut: number[];
  /** Non-blank lines past the first TESTER_MAX_LINES, not tested. */
  dropped: number;
}

export function testerSample(text: string): Sample {
  const lines: string[] = [];
  const cut: number[] = [];
  let dropped = 0;
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    if (lines.length >= TESTER_MAX_LINES) { dropped++; return; }
    if (line.length > TESTER_MAX_CHARS) cut.push(i + 1);
    lines.push(line.slice(0, TESTER_MAX_CHARS));
  });
  return { lines, cut, dropped };
}
