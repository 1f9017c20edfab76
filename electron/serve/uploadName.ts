// Names of dropped files come from the page; they become paths on this machine only after this check.

const MAX_SEGMENTS = 32;
const MAX_SEGMENT_CHARS = 255;
const MAX_TOTAL_CHARS = 1024;
// Control characters, and characters Windows refuses in names (':' also stops drive letters and NTFS streams).
// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\u0000-\u001f\u007f<>:"|?*]/;

/**
 * A dropped file's relative path (e.g. "bundle/logs/app.log") → its segments, or null when it is absolute,
 * climbs out ("..", "."), names a drive, has control characters or is too long. Both / and \ separate.
 */
export function sanitizeUploadName(name: string | null | undefined): string[] | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_TOTAL_CHARS) return null;
  if (name.startsWith('/') || name.startsWith('\\')) return null;
  const segments = name.split(/[\\/]+/).filter((s) => s.length > 0);
  if (segments.length === 0 || segments.length > MAX_SEGMENTS) return null;
  for (const s of segments) {
    if (s === '.' || s === '..' || s.length > MAX_SEGMENT_CHARS || BAD_CHARS.test(s)) return null;
    // Trailing dots/spaces are silently dropped by Windows, which would let "..." or ".. " mean "..".
    if (/[. ]$/.test(s)) return null;
  }
  return segments;
}
