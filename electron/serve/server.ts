// Browser mode: the same contract as the Electron shell, over loopback HTTP. Only this machine can connect
// (127.0.0.1), only pages that know the per-run token can call (header or, for SSE, query), and the Host/Origin
// checks stop DNS-rebinding and cross-site pages from reaching the API even though they can reach the port.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rename, rm, stat, unlink } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { phase, serverTiming, withPhases, type Phases } from '../engine/util/phases';
import { dispatch, EVENT_NAMES, MAX_PAYLOAD_BYTES, tooLarge, wireError, type EngineLike, type WireResult } from '../door/dispatch';
import { resolveStaticPath, SECURITY_HEADERS } from '../door/staticFiles';
import { sanitizeUploadName } from './uploadName';
import { isCallName, type ErrorCode } from '../../shared/contract';

export interface ServerOptions {
  engine: EngineLike;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Where dropped files are stored; default a fresh owner-only temp folder removed on close. */
  uploadDir?: string;
  maxBodyBytes?: number;
  maxUploadBytes?: number;
}

export interface RunningServer {
  /** Open this: http://127.0.0.1:<port>/?token=<token> */
  url: string;
  origin: string;
  port: number;
  token: string;
  uploadDir: string;
  close(): Promise<void>;
}

export const TOKEN_HEADER = 'x-casefile-token';
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
const HEARTBEAT_MS = 15_000;
/** Oversized bodies up to this multiple of the cap are drained (so the client sees the 413); beyond, cut off. */
const DRAIN_FACTOR = 8;

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_input: 400, unknown_call: 404, not_found: 404, nothing_selected: 404, blocked: 409, forbidden: 403, read_only: 409, conflict: 409, cancelled: 409, busy: 503, timeout: 504, internal: 500,
};

/** An upload batch's folder name under the upload folder (the page names its batch; the server makes one if not). */
const UPLOAD_BATCH = /^[0-9a-f]{16,64}$/;

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const token = randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  const maxBody = opts.maxBodyBytes ?? MAX_PAYLOAD_BYTES;
  const maxUpload = opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const ownsUploadDir = !opts.uploadDir;
  const uploadDir = opts.uploadDir ?? await mkdtemp(path.join(os.tmpdir(), 'casefile-upload-'));
  await mkdir(uploadDir, { recursive: true, mode: 0o700 });
  const rendererDir = path.resolve(opts.rendererDir);
  const sse = new Set<http.ServerResponse>();
  let port = 0;

  const tokenOk = (candidate: string | null | undefined): boolean =>
    typeof candidate === 'string' && candidate.length > 0 && candidate.length < 200
    && timingSafeEqual(digest(candidate), tokenDigest);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error(`casefile serve: ${req.method} ${safePath(req.url)} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendJson(res, 500, wireError('internal', 'Internal error.'));
      else res.destroy();
    });
  });
  // Slow-loris and idle sockets: headers must arrive promptly; SSE keeps its socket by writing heartbeats.
  server.headersTimeout = 10_000;
  server.requestTimeout = 0;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = req.headers.host ?? '';
    const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    if (!allowedHosts.includes(host)) return sendJson(res, 421, wireError('forbidden', 'Unexpected Host header.'));
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) return sendJson(res, 403, wireError('forbidden', 'Cross-origin request refused.'));

    const url = new URL(req.url ?? '/', `http://${host}`);
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return handleApi(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return sendJson(res, 405, wireError('forbidden', 'Method not allowed.'));
    }
    return serveStatic(req, res, url);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const name = url.pathname.slice('/api/'.length);
    if (name === 'events') {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      // EventSource cannot send headers, so the token rides in the query for this one read-only stream.
      if (!tokenOk(url.searchParams.get('token'))) return sendJson(res, 401, wireError('forbidden', 'Missing or wrong token.'));
      return openEventStream(req, res);
    }
    if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
    if (!tokenOk(headerValue(req, TOKEN_HEADER))) {
      req.resume();
      return sendJson(res, 401, wireError('forbidden', 'Missing or wrong token.'));
    }
    if (name === 'upload') return receiveUpload(req, res, url);
    if (name === 'upload.discard') return discardUpload(req, res, url);

    // application/json forces a CORS preflight from any other origin, which we never answer.
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      return sendJson(res, 415, wireError('invalid_input', 'Content-Type must be application/json.'));
    }
    // Where the call's time went (Server-Timing: names and ms only), for the page's and the UI bench's traces.
    const phases: Phases = new Map();
    const body = await withPhases(phases, () => phase('read', () => readBody(req, maxBody)));
    if (body === 'too_large') {
      return sendJson(res, 413, wireError('invalid_input', isCallName(name) ? tooLarge(name, null, maxBody) : `Request body exceeds ${maxBody} bytes.`), true);
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : withPhases(phases, () => phase('parse', () => JSON.parse(body.toString('utf8')) as unknown));
    } catch {
      return sendJson(res, 400, wireError('invalid_input', 'Request body is not valid JSON.'));
    }
    // A browser that aborts the request (a superseded filter, a reload) closes it: the engine stops the call's reads.
    const gone = new AbortController();
    res.on('close', () => { if (!res.writableFinished) gone.abort(); });
    const result: WireResult = await withPhases(phases, () => phase('call', () =>
      dispatch(opts.engine, name, input, { maxBytes: maxBody, signal: gone.signal })));
    if (name === 'import.paths') await dropImportedUploads(input);
    if (gone.signal.aborted) return;
    sendJson(res, result.ok ? 200 : (STATUS_BY_CODE[result.error.code] ?? 500), result, false, phases);
  }

  /**
   * Once an import of dropped files has ended (done, failed or cancelled), their upload batches go: the case holds its
   * own copy of the evidence, and a drop of gigabytes must not stay in the temp folder until the server stops. A drop
   * is uploaded afresh each time, so nothing needs them again.
   */
  async function dropImportedUploads(input: unknown): Promise<void> {
    const paths = (input as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths)) return;
    const batches = new Set<string>();
    for (const p of paths) {
      if (typeof p !== 'string') continue;
      const rel = path.relative(uploadDir, path.resolve(p));
      const batch = rel.split(path.sep)[0] ?? '';
      if (rel && !rel.startsWith('..') && !path.isAbsolute(rel) && UPLOAD_BATCH.test(batch)) batches.add(batch);
    }
    for (const b of batches) await rm(path.join(uploadDir, b), { recursive: true, force: true }).catch(() => undefined);
  }

  /**
   * A drop the operator declined ("Do not import": the case already has that evidence) is not imported, so no import's
   * end removes it: the page says so here, and its batch goes at once rather than when the server stops.
   */
  async function discardUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    req.resume();
    const batch = url.searchParams.get('batch') ?? '';
    if (!UPLOAD_BATCH.test(batch)) return sendJson(res, 400, wireError('invalid_input', 'No upload batch named.'));
    const dir = path.join(uploadDir, batch);
    const existed = await stat(dir).then(() => true, () => false);
    await rm(dir, { recursive: true, force: true });
    sendJson(res, 200, { ok: true, value: { removed: existed } });
  }

  function openEventStream(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.write('retry: 2000\n\n');
    const offs = EVENT_NAMES.map((name) => opts.engine.on(name, (payload) => {
      res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
    }));
    const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    sse.add(res);
    const stop = () => {
      clearInterval(beat);
      for (const off of offs) off();
      sse.delete(res);
    };
    req.on('close', stop);
    res.on('close', stop);
  }

  async function receiveUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const segments = sanitizeUploadName(url.searchParams.get('name'));
    if (!segments) {
      req.resume();
      return sendJson(res, 400, wireError('invalid_input', 'Upload name must be a relative path without "..", drive letters or control characters.'));
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > maxUpload) {
      // Declared sizes are exact; refuse before reading a byte.
      return sendJson(res, 413, wireError('invalid_input', `Upload exceeds ${maxUpload} bytes.`), true);
    }
    // Each drop gets its own folder (the client's batch id, else a fresh one) so names from different drops never
    // collide and the files of one dropped folder stay together: the importer sees one bundle, with its structure.
    const asked = url.searchParams.get('batch') ?? '';
    const batch = UPLOAD_BATCH.test(asked) ? asked : randomBytes(8).toString('hex');
    const dir = path.join(uploadDir, batch);
    const dest = path.join(dir, ...segments);
    if (!dest.startsWith(dir + path.sep)) {
      req.resume();
      return sendJson(res, 400, wireError('invalid_input', 'Upload name escapes the upload folder.'));
    }
    // A name that needs an uploaded file to be a folder (or the reverse) is the client's mistake, not ours: 409.
    const clash = () => sendJson(res, 409, wireError('conflict', `Upload name ${segments.join('/')} clashes with an earlier upload in this batch (one name cannot be both a file and a folder).`), true);
    try { await mkdir(path.dirname(dest), { recursive: true, mode: 0o700 }); } catch (e) {
      if (['EEXIST', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '')) { req.resume(); return clash(); }
      throw e;
    }
    const part = `${dest}.part-${randomBytes(4).toString('hex')}`;
    const fh = await open(part, 'wx', 0o600);
    let size: number;
    let ok = false;
    try {
      // Written chunk by chunk with the request paused meanwhile, so memory stays flat whatever the file size.
      size = await new Promise<number>((resolve, reject) => {
        let n = 0;
        let writing = Promise.resolve();
        req.on('data', (chunk: Buffer) => {
          n += chunk.length;
          if (n > maxUpload * DRAIN_FACTOR) {
            req.destroy();
            resolve(n);
            return;
          }
          if (n > maxUpload) return;
          req.pause();
          writing = writing.then(() => fh.write(chunk)).then(() => { req.resume(); }, reject);
        });
        req.on('end', () => { writing.then(() => resolve(n), reject); });
        req.on('error', reject);
      });
      if (size <= maxUpload && req.complete) {
        await fh.sync();
        ok = true;
      }
    } finally {
      await fh.close();
      if (!ok) await unlink(part).catch(() => undefined);
    }
    if (size > maxUpload) return sendJson(res, 413, wireError('invalid_input', `Upload exceeds ${maxUpload} bytes.`), true);
    if (!ok) return sendJson(res, 400, wireError('invalid_input', 'Upload was interrupted.'));
    try { await rename(part, dest); } catch (e) {
      await unlink(part).catch(() => undefined);
      if (['EISDIR', 'ENOTDIR', 'ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) return clash();
      throw e;
    }
    sendJson(res, 200, { ok: true, value: { path: dest, dir, bytes: size } });
  }

  async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const found = await resolveStaticPath(rendererDir, url.pathname);
    if (!found.ok) {
      res.writeHead(found.status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      res.end(found.status === 404 ? 'Not found\n' : 'Refused\n');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': found.contentType,
      'cache-control': found.contentType.startsWith('text/html') ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    // The port taken (another `casefile serve`): the upload folder made for this server goes with it.
    if (ownsUploadDir) await rm(uploadDir, { recursive: true, force: true });
    throw e;
  }
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  let closed: Promise<void> | null = null;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    uploadDir,
    close() {
      closed ??= (async () => {
        for (const res of sse) res.end();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        if (ownsUploadDir) await rm(uploadDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? undefined : v;
}

/**
 * Reads a body up to `max` bytes. A larger body is drained and dropped so the 413 answer still reaches the client;
 * one far beyond the cap (declared or sent) is cut off instead of read.
 */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > max * DRAIN_FACTOR) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max * DRAIN_FACTOR) {
        req.destroy();
        resolve('too_large');
      } else if (size > max) {
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(size > max ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, closeConnection = false, phases?: Phases): void {
  const t0 = performance.now();
  const json = JSON.stringify(body);
  if (phases) phases.set('json', performance.now() - t0);
  res.writeHead(status, {
    ...(phases ? { 'server-timing': serverTiming(phases) } : {}),
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // An unread oversized body would otherwise keep the socket busy; drop it.
    ...(closeConnection ? { connection: 'close' } : {}),
  });
  res.end(json);
}

function methodNotAllowed(res: http.ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, wireError('forbidden', 'Method not allowed.'), true);
}

/** Request path without its query, so a token never reaches a log line. */
function safePath(url: string | undefined): string {
  return (url ?? '').split('?', 1)[0]?.slice(0, 200) ?? '';
}
