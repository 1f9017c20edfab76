// The audit trail: an append-only, hash-chained JSONL file (one per case, one for the app). Each entry carries the
// hash of the one before it, so editing, deleting, reordering or inserting entries breaks the chain; a sidecar head
// record (`<file>.head`) remembers the last acknowledged entry so that cutting whole entries off the end is seen too.
// See docs/AUDIT.md for the format, the chain rule and the torn-tail policy.
import { constants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditVerifyResult } from '../../../shared/audit';
import { writeJsonAtomic, mkdirPrivate } from '../util/atomic';
import { appInfo, currentOperator, type AppInfo, type Operator } from './appInfo';
import { canonicalJson, sha256Hex } from './canonical';
import { withFileLock } from '../util/fileLock';
import { readOwnFile } from '../util/smallFile';
import { auditMacKey, macMatches, macOf } from './macKey';
import { sanitizeMessage, sanitizeParams } from './bound';

export const AUDIT_VERSION = 1;
/** `prev` of the first entry. */
export const GENESIS = '0'.repeat(64);
/** Written by the next append when it finds the end of the log torn (see docs/AUDIT.md). */
export const TORN_ACTION = 'audit.torn_tail_detected';
/** Written by the next append when the log ends before, or differs from, what its head record acknowledged. */
export const TEAR_ACTION = 'audit.tear';
/** The operator's acknowledgment of a tear (the contract call `audit.ack`, audited like every call). */
export const ACK_ACTION = 'audit.ack';

export type AuditStatus = 'ok' | 'error';
export interface AuditResult { status: AuditStatus; message?: string; counts?: Record<string, number> }

export interface AuditInput {
  action: string;
  params: Record<string, unknown>;
  result: AuditResult;
  via: string;
  caseId?: string;
}

export interface AuditEntry {
  v: number;
  seq: number;
  time: string;
  operator: Operator;
  host: string;
  action: string;
  params: Record<string, unknown>;
  result: AuditResult;
  via: string;
  caseId?: string;
  app: AppInfo;
  prev: string;
  hash: string;
  /** HMAC-SHA-256 of `hash` under this install's audit secret (`key` names the secret; macKey.ts). */
  mac?: { key: string; hmac: string };
}

export interface AuditHead { seq: number; hash: string }

export const headFile = (file: string) => `${file}.head`;
const lockFile = (file: string) => `${file}.lock`;

/** sha256 over the canonical JSON of the entry without its `hash` (and without its `mac`, made from the hash). */
export function hashEntry(entry: Omit<AuditEntry, 'hash'> | AuditEntry): string {
  return sha256Hex(canonicalJson({ ...entry, hash: undefined, mac: undefined }));
}

// Appends from one process go one at a time (cheaper than contending on the lock file with ourselves).
const queues = new Map<string, Promise<unknown>>();

/**
 * `folder: 'must-exist'` for a case's trail: the case folder is never made again by an append (a folder deleted,
 * moved or unmounted under an open case would come back holding only an audit file); the append fails instead.
 */
export function appendAudit(file: string, input: AuditInput, opts: { folder?: 'make' | 'must-exist' } = {}): Promise<AuditHead> {
  const key = path.resolve(file);
  const run = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => appendLocked(key, input, opts.folder ?? 'make'));
  queues.set(key, run);
  void run.finally(() => { if (queues.get(key) === run) queues.delete(key); }).catch(() => undefined);
  return run;
}

/** The trail is never read or written through a link (someone else put it there: it may name /dev/zero or a file
 *  outside the case), nor waited on as a pipe (every command of the case hung on one), nor is a device read. */
export class TrailNotAFileError extends Error {}

/** Opens the trail itself: its own regular file, or null when there is none (and `append` is not asked). */
async function openTrail(file: string, mode: 'read' | 'append'): Promise<fs.FileHandle | null> {
  const flags = (mode === 'append' ? constants.O_RDWR | constants.O_APPEND | constants.O_CREAT : constants.O_RDONLY) | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  const fh = await fs.open(file, flags, 0o600).catch((e: NodeJS.ErrnoException) => e);
  let what: string;
  if (fh instanceof Error) {
    if (fh.code === 'ENOENT' && mode === 'read') return null;
    if (fh.code !== 'ELOOP' && fh.code !== 'EISDIR') throw fh;
    what = fh.code === 'ELOOP' ? 'a link' : 'a folder';
  } else {
    const st = await fh.stat();
    if (st.isFile()) return fh;
    await fh.close();
    what = st.isDirectory() ? 'a folder' : 'not a regular file (a device, pipe or socket)';
  }
  throw new TrailNotAFileError(`The audit log ${file} is ${what}: a trail is never read or written through one, so this was not done. `
    + 'It is left as it is; put the trail back as a file, or move this aside (verify then reports the entries the case recorded as missing).');
}

async function appendLocked(file: string, input: AuditInput, folder: 'make' | 'must-exist'): Promise<AuditHead> {
  if (folder === 'make') await mkdirPrivate(path.dirname(file));
  else if (!(await fs.stat(path.dirname(file)).catch(() => null))?.isDirectory()) {
    throw new Error(`the case folder ${path.dirname(file)} is gone (deleted, moved or unmounted)`);
  }
  const [app, operator, key] = await Promise.all([appInfo(), currentOperator(), auditMacKey(true)]);
  const sealed = (e: Omit<AuditEntry, 'hash'>): AuditEntry => {
    const hash = hashEntry(e);
    return { ...e, hash, ...(key ? { mac: { key: key.id, hmac: macOf(key, hash) } } : {}) };
  };
  return withFileLock(lockFile(file), async () => {
    const fh = (await openTrail(file, 'append'))!; // O_APPEND: every write lands at the end, whatever others did
    try {
      const { size, mode } = await fh.stat();
      const tail = await readTail(fh, size);
      let last: AuditHead | null = tail.last;
      let text = '';
      const base = { v: AUDIT_VERSION, operator, host: os.hostname(), via: input.via, app };

      const garbageEndsLine = tail.garbage.length > 0 && tail.garbage[tail.garbage.length - 1] === 0x0a;
      // Never chain onto garbage and never rewrite what is there: end the torn line, then record the tear.
      if ((tail.garbage.length > 0 && !garbageEndsLine) || tail.missingNewline) text += '\n';
      if (tail.garbage.length > 0) {
        const torn = garbageEndsLine ? tail.garbage : Buffer.concat([tail.garbage, Buffer.from('\n')]);
        const head = await readHead(file);
        const tornEntry = sealed({
          ...base, seq: (last?.seq ?? 0) + 1, time: new Date().toISOString(), action: TORN_ACTION,
          params: { tornBytes: torn.length, tornSha256: sha256Hex(torn), afterSeq: last?.seq ?? 0, headSeq: head?.seq ?? null },
          result: { status: 'error', message: `The end of the audit log was incomplete (${torn.length} bytes after entry ${last?.seq ?? 0}); it is kept as found and this entry chains past it.` },
          ...(input.caseId ? { caseId: input.caseId } : {}),
          prev: last?.hash ?? GENESIS,
        });
        text += canonicalJson(tornEntry) + '\n';
        last = { seq: tornEntry.seq, hash: tornEntry.hash };
      }

      // The end of the log must be what the head record acknowledged. If entries were cut off or the end rewritten,
      // never write over it silently: record what was expected, chained to what is there (verify fails until acked).
      const head = await readHead(file);
      const good = tail.last; // the last whole entry, before any torn-tail record above
      if (head && (!good || good.seq < head.seq || (good.seq === head.seq && good.hash !== head.hash))) {
        const seq = (last?.seq ?? 0) + 1;
        const tear = sealed({
          ...base, seq, time: new Date().toISOString(), action: TEAR_ACTION,
          params: { expectedSeq: head.seq, expectedHash: head.hash, foundSeq: good?.seq ?? 0, foundHash: good?.hash ?? null },
          result: { status: 'error', message: `The log ends at entry ${good?.seq ?? 0} but its head record acknowledged entry ${head.seq} (${head.hash.slice(0, 16)}…): entries were cut off or rewritten. ${ackHint(file, seq)}` },
          ...(input.caseId ? { caseId: input.caseId } : {}),
          prev: last?.hash ?? GENESIS,
        });
        text += canonicalJson(tear) + '\n';
        last = { seq: tear.seq, hash: tear.hash };
      }

      const result: AuditResult = { status: input.result.status };
      const message = sanitizeMessage(input.result.message);
      if (message !== undefined) result.message = message;
      if (input.result.counts) result.counts = input.result.counts;
      const entry = sealed({
        ...base, seq: (last?.seq ?? 0) + 1, time: new Date().toISOString(), action: input.action,
        params: sanitizeParams(input.params), result,
        ...(input.caseId ? { caseId: input.caseId } : {}),
        prev: last?.hash ?? GENESIS,
      });
      text += canonicalJson(entry) + '\n';

      await fh.write(Buffer.from(text)); // one write(2) of whole lines
      await fh.sync();
      if ((mode & 0o777) !== 0o600) await fh.chmod(0o600);
      const out = { seq: entry.seq, hash: entry.hash };
      await writeJsonAtomic(headFile(file), { ...out, time: entry.time });
      return out;
    } finally {
      await fh.close();
    }
  });
}


/** Deeper than any entry the app writes (params are cut at 8 levels, bound.ts): such a line was put there by hand,
 * and hashing it would overflow the stack (verify failed with 'Maximum call stack size exceeded'). */
const MAX_ENTRY_DEPTH = 64;

function nestsDeeper(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) { if (++depth > max) return true; } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** A line that looks like an entry (parses, has seq and hash). Whether its hash is right is verify's business. */
function parseEntry(text: string): AuditEntry | null {
  if (!text.startsWith('{') || nestsDeeper(text, MAX_ENTRY_DEPTH)) return null;
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const e = v as AuditEntry;
      // Entries count from 1; a number none can have (0, -5, 1e21) was said to 'appear again' or to span deletions.
      if (Number.isSafeInteger(e.seq) && e.seq >= 1 && typeof e.hash === 'string' && typeof e.prev === 'string') return e;
    }
  } catch { /* not an entry */ }
  return null;
}

interface Tail {
  /** The last line that parses as an entry. */
  last: AuditHead | null;
  /** Everything after that entry's line (a torn write, or other damage at the end). */
  garbage: Buffer;
  /** The last entry is complete but its newline is missing. */
  missingNewline: boolean;
}

/** Reads backwards from the end, in growing chunks, until a whole entry line is found. */
async function readTail(fh: fs.FileHandle, size: number): Promise<Tail> {
  let chunk = 64 * 1024;
  for (;;) {
    const start = Math.max(0, size - chunk);
    const buf = Buffer.alloc(size - start);
    if (buf.length > 0) await fh.read(buf, 0, buf.length, start);
    // Line starts we can trust: the file start, or just after a newline inside the chunk.
    let pos = buf.length;
    let end = buf.length;
    for (;;) {
      const nl = pos > 0 ? buf.lastIndexOf(0x0a, pos - 1) : -1;
      if (nl < 0 && start > 0) break; // the line may begin before the chunk: read more
      const lineStart = nl + 1;
      const text = buf.subarray(lineStart, end).toString('utf8');
      const e = text.length > 0 ? parseEntry(text) : null;
      if (e) {
        const lineEnd = end;
        const hasNl = buf[lineEnd] === 0x0a;
        const after = Buffer.from(buf.subarray(hasNl ? lineEnd + 1 : lineEnd));
        return { last: { seq: e.seq, hash: e.hash }, garbage: after, missingNewline: !hasNl };
      }
      if (nl < 0) return { last: null, garbage: buf, missingNewline: false };
      end = nl;
      pos = nl;
    }
    chunk *= 4;
  }
}

/** The head record, if it is a small regular file (a pipe hung every audited call; a link is not followed). */
async function readHead(file: string): Promise<AuditHead | null> {
  const read = await readOwnFile(headFile(file), 64 * 1024, 'an audit head');
  if (!('bytes' in read)) return null;
  try {
    const h = JSON.parse(read.bytes.toString('utf8')) as AuditHead;
    return Number.isInteger(h.seq) && typeof h.hash === 'string' ? { seq: h.seq, hash: h.hash } : null;
  } catch { return null; }
}

/** The last entry in the log (for exports to embed), or null for an empty or missing log. */
export async function auditHead(file: string): Promise<AuditHead | null> {
  const fh = await openTrail(file, 'read');
  if (!fh) return null;
  try { return (await readTail(fh, (await fh.stat()).size)).last; } finally { await fh.close(); }
}

/** The whole trail's bytes, or null when there is none. */
async function readTrail(file: string): Promise<Buffer | null> {
  const fh = await openTrail(file, 'read');
  if (!fh) return null;
  try { return await fh.readFile(); } finally { await fh.close(); }
}

interface Line { no: number; start: number; end: number; terminated: boolean; entry: AuditEntry | null }

function splitLines(buf: Buffer): Line[] {
  const lines: Line[] = [];
  let start = 0;
  let no = 1;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl;
    lines.push({ no, start, end, terminated: nl >= 0, entry: parseEntry(buf.subarray(start, end).toString('utf8')) });
    start = end + 1;
    no++;
  }
  return lines;
}

export interface ReadAuditOptions { action?: string; since?: string; limit?: number }

/** Entries in log order; `action` matches exactly or, ending in `*`, by prefix; `since` is an ISO date/instant; `limit` keeps the newest. */
export async function readAudit(file: string, opts: ReadAuditOptions = {}): Promise<AuditEntry[]> {
  const buf = await readTrail(file);
  if (!buf) return [];
  const sinceMs = opts.since ? Date.parse(opts.since) : NaN;
  if (opts.since && Number.isNaN(sinceMs)) throw new Error(`Not a date: ${opts.since}`);
  const matchAction = opts.action === undefined ? () => true
    : opts.action.endsWith('*') ? (a: string) => a.startsWith(opts.action!.slice(0, -1)) : (a: string) => a === opts.action;
  const out = splitLines(buf)
    .map((l) => l.entry)
    .filter((e): e is AuditEntry => e !== null && matchAction(String(e.action)) && (Number.isNaN(sinceMs) || Date.parse(e.time) >= sinceMs));
  return opts.limit !== undefined ? out.slice(Math.max(0, out.length - opts.limit)) : out;
}

/** Checks the whole chain and reports the first broken entry. */
export interface VerifyOptions {
  /** A head recorded elsewhere (the case database's mirror): the log must still hold that entry, unchanged. */
  anchor?: AuditHead | null;
}

export async function verifyAudit(file: string, opts: VerifyOptions = {}): Promise<AuditVerifyResult> {
  const verifiedAt = new Date().toISOString();
  const head = await readHead(file);
  let buf: Buffer | null;
  try { buf = await readTrail(file); } catch (e) {
    if (!(e instanceof TrailNotAFileError)) throw e;
    return { ok: false, entries: 0, headHash: null, headSeq: null, firstBroken: { seq: null, line: 1, problem: e.message }, tornTail: false, recordedTears: 0, verifiedAt, ...anchorOf(opts) };
  }
  if (!buf) {
    const broken = head ? { seq: 1, line: 1, problem: `The audit log is missing, but its head record says it held ${head.seq} entries.` }
      : opts.anchor ? { seq: 1, line: 1, problem: `The audit log is missing, but the case database recorded entry ${opts.anchor.seq} (${opts.anchor.hash.slice(0, 16)}…): the log was deleted.` }
        : null;
    return { ok: !broken, entries: 0, headHash: null, headSeq: null, firstBroken: broken, tornTail: false, recordedTears: 0, verifiedAt, ...anchorOf(opts) };
  }
  const lines = splitLines(buf);
  const lineOfSeq = new Map<number, number>();
  for (const l of lines) if (l.entry && !lineOfSeq.has(l.entry.seq)) lineOfSeq.set(l.entry.seq, l.no);

  let firstBroken: AuditVerifyResult['firstBroken'] = null;
  let recordedTears = 0;
  let entries = 0;
  let last: AuditHead | null = null;
  let expected = 1;
  let prevHash = GENESIS;
  let bad: Line | null = null; // first of a run of lines that are not entries
  const hashOfSeq = new Map<number, string>();
  const breakAt = (seq: number | null, line: number, problem: string) => { firstBroken ??= { seq, line, problem }; };
  const key = await auditMacKey(false);
  let macSeen = false;
  let macEntries = 0;
  let macKeyAbsent = false;
  let macInvalid: number | undefined;
  const tears = new Map<number, { line: number; params: Record<string, unknown> }>();
  let acknowledgedTears = 0;
  let ackedUpTo = 0; // entries up to this seq were cut off or rewritten by an acknowledged tear

  for (const l of lines) {
    const e = l.entry;
    if (!e) { bad ??= l; continue; }
    entries++;
    if (firstBroken) continue; // keep counting, the first break is what we report
    if (bad) {
      // Lines that are not entries are acceptable only as a tear recorded by the append right after them.
      const torn = buf.subarray(bad.start, l.start);
      const p = e.params ?? {};
      const headSeq = p.headSeq;
      const recorded = e.action === TORN_ACTION && p.tornSha256 === sha256Hex(torn) && p.tornBytes === torn.length
        && (headSeq === null || (typeof headSeq === 'number' && headSeq <= expected - 1));
      if (!recorded) {
        breakAt(null, bad.no, `Line ${bad.no} is not an audit entry (damaged or inserted text in the middle of the log).`);
        continue;
      }
      recordedTears++;
      bad = null;
    }
    if (e.seq !== expected) {
      if (e.seq < expected) breakAt(e.seq, l.no, `Entry ${e.seq} appears again where entry ${expected} was expected: an entry was inserted or lines were reordered.`);
      else if (lineOfSeq.get(expected) !== undefined && lineOfSeq.get(expected)! > l.no) breakAt(e.seq, l.no, `Entry ${e.seq} comes where entry ${expected} was expected (entry ${expected} is later, at line ${lineOfSeq.get(expected)}): entries were reordered.`);
      else breakAt(e.seq, l.no, `Entry ${e.seq} follows entry ${expected - 1}: ${e.seq - expected === 1 ? `entry ${expected} was` : `entries ${expected}–${e.seq - 1} were`} deleted.`);
      continue;
    }
    if (hashEntry(e) !== e.hash) { breakAt(e.seq, l.no, `Entry ${e.seq} does not match its hash: it was edited.`); continue; }
    if (e.prev !== prevHash) { breakAt(e.seq, l.no, `Entry ${e.seq} does not chain to the entry before it: that entry was edited or replaced, or this one was inserted.`); continue; }
    // MAC: checked where this machine holds the secret that made it; once entries carry MACs, all later ones must.
    if (e.mac) {
      macSeen = true;
      macEntries++;
      if (!key || e.mac.key !== key.id) macKeyAbsent = true;
      else if (!macMatches(key, e.hash, String(e.mac.hmac))) {
        macInvalid ??= e.seq;
        breakAt(e.seq, l.no, `Entry ${e.seq}'s MAC does not match: it was written or rewritten without this installation's audit secret.`);
        continue;
      }
    } else if (macSeen) {
      macInvalid ??= e.seq;
      breakAt(e.seq, l.no, `Entry ${e.seq} has no MAC although earlier entries do: it was written without the audit secret.`);
      continue;
    }
    if (e.action === TEAR_ACTION) tears.set(e.seq, { line: l.no, params: e.params ?? {} });
    if (e.action === ACK_ACTION && e.result?.status === 'ok') {
      const acked = tears.get(Number((e.params ?? {}).tearSeq));
      if (acked && tears.delete(Number((e.params ?? {}).tearSeq))) {
        acknowledgedTears++;
        ackedUpTo = Math.max(ackedUpTo, Number(acked.params.expectedSeq) || 0);
      }
    }
    hashOfSeq.set(e.seq, e.hash);
    last = { seq: e.seq, hash: e.hash };
    prevHash = e.hash;
    expected++;
  }
  if (bad && !firstBroken) {
    breakAt(null, bad.no, `The log ends in an incomplete entry at line ${bad.no} (a write was cut off, e.g. the process was killed); the next append will record it.`);
  }
  if (!firstBroken) {
    const lastSeq = last?.seq ?? 0;
    if (!head && lastSeq > 1) breakAt(null, lines.length + 1, 'The head record (audit.jsonl.head) is missing, so truncation cannot be ruled out.');
    else if (head && head.seq > lastSeq) breakAt(lastSeq + 1, lines.length + 1, `The log ends at entry ${lastSeq} but its head record says entry ${head.seq} was written: the log was truncated. The next entry written to this log records it as a tear (${TEAR_ACTION}), to acknowledge once explained.`);
    else if (head && hashOfSeq.get(head.seq) !== head.hash) breakAt(head.seq, lineOfSeq.get(head.seq) ?? lines.length + 1, `Entry ${head.seq} differs from the one the head record acknowledged: the end of the log was rewritten. The next entry written to this log records it as a tear (${TEAR_ACTION}), to acknowledge once explained.`);
  }
  const [tearSeq, tear] = [...tears.entries()][0] ?? [];
  if (tear && tearSeq !== undefined) {
    const p = tear.params;
    breakAt(tearSeq, tear.line, `Entries were cut off or rewritten: expected entry ${String(p.expectedSeq)} (${String(p.expectedHash).slice(0, 16)}…) as the head record said, found the log ending at entry ${String(p.foundSeq)}; recorded by entry ${tearSeq} (${TEAR_ACTION}). ${ackHint(file, tearSeq)}`);
  }
  // The break reported is that tear (no earlier one): acknowledging it is what lets verify pass.
  const openTear = tearSeq !== undefined && firstBroken !== null && (firstBroken as { seq: number | null }).seq === tearSeq ? tearSeq : undefined;
  // The database's mirror of the head: the log must still hold it, unless an acknowledged tear explains its loss.
  const anchor = opts.anchor;
  if (!firstBroken && anchor && anchor.seq > ackedUpTo) {
    const lastSeq = last?.seq ?? 0;
    if (anchor.seq > lastSeq) breakAt(lastSeq + 1, lines.length + 1, `The log ends at entry ${lastSeq} but the case database recorded entry ${anchor.seq} (${anchor.hash.slice(0, 16)}…): the log was truncated together with its head record.`);
    else if (hashOfSeq.get(anchor.seq) !== anchor.hash) breakAt(anchor.seq, lineOfSeq.get(anchor.seq) ?? lines.length + 1, `Entry ${anchor.seq} differs from the one the case database recorded (${anchor.hash.slice(0, 16)}…): the log was rewritten.`);
  }
  const tornTail = lines.length > 0 && lines[lines.length - 1]!.entry === null;
  const mac = { status: macInvalid !== undefined ? 'invalid' as const : macKeyAbsent ? 'key_absent' as const : macSeen ? 'valid' as const : 'none' as const, entries: macEntries, ...(macInvalid !== undefined ? { firstInvalidSeq: macInvalid } : {}) };
  return { ok: !firstBroken, entries, headHash: last?.hash ?? null, headSeq: last?.seq ?? null, firstBroken, tornTail, recordedTears, acknowledgedTears, mac, verifiedAt, ...anchorOf(opts), ...(openTear !== undefined ? { openTear } : {}) };
}

/** How to acknowledge a tear, as a command the operator can paste (a case's log is `<case>/audit.jsonl`). */
function ackHint(file: string, seq: number): string {
  if (path.basename(file) !== 'audit.jsonl') return `Once explained, acknowledge it (audit.ack, entry ${seq}).`;
  const dir = path.dirname(path.resolve(file));
  const arg = /^[\w@%+=:,./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`;
  return `Once explained, acknowledge it in the Audit view or with: casefile audit ack --case ${arg} --seq ${seq}.`;
}

const anchorOf = (opts: VerifyOptions) => (opts.anchor ? { dbHead: { seq: opts.anchor.seq, hash: opts.anchor.hash } } : {});
