// Text from outside (a server's file names, log lines, key user ids, a sealed file's field names) as a person should
// see it: control characters (which can retitle, clear or recolour a terminal, ring it, or overwrite a line with
// backspace or CR), C1 controls (0x9b is CSI on some terminals), bidirectional overrides and marks (which make
// `gol.exe` read `exe.log`) and zero-width or line-separator characters (which hide or split text) are shown as
// escapes. The CLI and the app's views (import, pull, cases, the table's and detail's file, the audit trail and its
// problems, exports) use it for every such text, so a name reads the same in both.

/** The characters `printable` escapes. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
/** The same without C0 (JSON.stringify escapes those itself, and its indentation is made of them). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const hex = (c: string, width: number) => c.charCodeAt(0).toString(16).padStart(width, '0');

export function printable(s: string): string {
  return s.replace(UNSAFE, (c) => (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/**
 * JSON text (from JSON.stringify) with the characters above that JSON leaves raw written as \u escapes: the same JSON
 * (JSON.parse gives the same strings back), safe to show. They can only occur inside strings, where \u is valid.
 */
export function printableJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}
