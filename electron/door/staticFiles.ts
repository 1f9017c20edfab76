// Serving the built renderer, shared by the Electron `app://` protocol and the browser-mode bridge, so both
// doors send the same Content-Security-Policy and refuse the same paths.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** The renderer's CSP: only our own scripts, no eval, no inline script, no framing, no form posts, no plugins. */
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React sets element style attributes; inline styles cannot run code.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Headers on every renderer file, whichever door served it. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  // The browser-mode token sits in the first URL; never leak it in a Referer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  // Only features Chromium knows as policies: an unknown one (bluetooth) does nothing and errs on the console.
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticResolution =
  | { ok: true; file: string; contentType: string }
  | { ok: false; status: 400 | 403 | 404 };

/**
 * Maps a URL pathname to a file inside `root`. Refuses encoded separators, NUL, dot segments and anything whose
 * real path (after symlinks) leaves `root`. Paths without an extension fall back to index.html (client routes).
 */
export async function resolveStaticPath(root: string, urlPathname: string): Promise<StaticResolution> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (decoded.includes('\0') || decoded.includes('\\') || /%2f|%5c/i.test(urlPathname)) return { ok: false, status: 400 };
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403 };

  let rootReal: string;
  try {
    rootReal = await realpath(root);
  } catch {
    return { ok: false, status: 404 };
  }
  const wanted = segments.length === 0 ? 'index.html' : segments.join('/');
  const candidates = [wanted];
  if (path.extname(wanted) === '') candidates.push('index.html');
  for (const rel of candidates) {
    const abs = path.resolve(rootReal, rel);
    if (!isInside(rootReal, abs)) return { ok: false, status: 403 };
    let real: string;
    try {
      real = await realpath(abs);
    } catch {
      continue;
    }
    if (!isInside(rootReal, real)) return { ok: false, status: 403 };
    const st = await stat(real).catch(() => null);
    if (st?.isFile()) return { ok: true, file: real, contentType: contentTypeFor(real) };
  }
  return { ok: false, status: 404 };
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
