// The app:// scheme: serves out/renderer with the strict CSP. Registered privileged (standard + secure) so the
// renderer gets a real origin, fetch and a secure context without http:// or file://.
import { readFile } from 'node:fs/promises';
import type { CustomScheme } from 'electron';
import { resolveStaticPath, SECURITY_HEADERS } from '../door/staticFiles';
import { APP_HOST, APP_SCHEME } from './channels';

export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, stream: false, bypassCSP: false },
};

/** The protocol.handle handler: GET/HEAD of files inside rendererDir, anything else refused. */
export function createAppProtocolHandler(rendererDir: string): (req: Request) => Promise<Response> {
  return async (req) => {
    const refuse = (status: number) => new Response(null, { status, headers: { ...SECURITY_HEADERS } });
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return refuse(400);
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405);
    const found = await resolveStaticPath(rendererDir, url.pathname);
    if (!found.ok) return refuse(found.status);
    const body = req.method === 'HEAD' ? null : await readFile(found.file);
    return new Response(body, { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': found.contentType } });
  };
}
