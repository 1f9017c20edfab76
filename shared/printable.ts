// Text from outside (a server's file names) as a person should see it: control characters (which can retitle, clear or
// recolour a terminal, or hide a line) and bidirectional overrides (which make `gol.exe` read `exe.log`) are shown as
// escapes. The CLI and the pull view use it for every name a server hands over.
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16)}`;
  });
}
