// The keys and sealed calls. Sealed-file calls record their own audit entry (the contract marks them "by its
// handler"): the sealed file's sha256, its name, field paths, recipients and signer — facts known only once the file
// is read — and never a value, a passphrase or a session key.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EngineError, type AreaHandlers, type EngineContext } from '../api';
import { createFileAtomic, writeFileAtomic } from '../util/atomic';
import { importSealedProfile } from './sealedProfile';
import { type OpenSecrets, type SealedSource } from './service';
import { readSmallFile } from '../util/smallFile';
import { formatPath } from './sealedSession';
import { MAX_BUNDLE_BYTES } from './parse';
import { sealedOutput } from './paths';

type Params = Record<string, unknown>;

/** Runs `fn`, then records one entry with the params it noted on the way (also when it fails). */
async function recorded<T>(ctx: EngineContext, action: string, base: Params, fn: (note: (p: Params) => void) => Promise<T>): Promise<T> {
  const params: Params = { ...base };
  const note = (p: Params) => { Object.assign(params, p); };
  let out: T;
  try {
    out = await fn(note);
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n', 1)[0]! : String(e);
    await ctx.audit(action, params, { status: 'error', message });
    throw e;
  }
  await ctx.audit(action, params, { status: 'ok' });
  return out;
}

const caseOf = (i: { caseId?: string | undefined }) => (i.caseId ? { caseId: i.caseId } : {});

function sourceOf(s: { file?: string | undefined; content?: string | undefined; name?: string | undefined }): SealedSource {
  if (s.file !== undefined) return { file: s.file };
  return { bytes: Buffer.from(s.content ?? '', 'base64'), name: s.name ?? 'upload.gpg' };
}

function secretsOf(i: { password?: string | undefined; sessionKey?: string | undefined }): OpenSecrets {
  return { ...(i.password !== undefined ? { password: i.password } : {}), ...(i.sessionKey !== undefined ? { sessionKey: i.sessionKey } : {}) };
}

/** How an open was tried, for the trail (which secret was given, never the secret); once open, what opened it. */
const openedBy = (s: OpenSecrets) => (s.sessionKey !== undefined ? 'session key' : s.password !== undefined ? 'password' : 'key');

export const cryptoHandlers: AreaHandlers<'keys' | 'sealed'> = {
  'keys.list': async (ctx) => {
    const left = new Map(ctx.crypto.state().keys.map((k) => [k.fingerprint, k.secondsLeft]));
    return {
      secret: (await ctx.crypto.keystore.listSecret()).map((k) => ({ ...k, secondsLeft: left.get(k.fingerprint) ?? null })),
      clients: (await ctx.crypto.keystore.listClients()).map(({ fingerprint, keyIds, userIds, version, algorithm, created, importedAt }) => ({ fingerprint, keyIds, userIds, version, algorithm, created, importedAt })),
      door: ctx.crypto.door,
      safeStorage: ctx.crypto.keystore.wrapperName !== null,
    };
  },

  'keys.import': (ctx, i) => recorded(ctx, 'keys.import', { kind: i.kind }, async (note) => {
    const bytes = Buffer.from(i.armored, /^\s*-----BEGIN PGP/.test(i.armored) ? 'utf8' : 'base64');
    const imported = i.kind === 'secret'
      ? [await ctx.crypto.keystore.importSecret(bytes)]
      : await ctx.crypto.keystore.importClients(bytes);
    note({ fingerprints: imported.map((k) => k.fingerprint) });
    return { imported: imported.map((k) => ({ fingerprint: k.fingerprint, userIds: k.userIds, kind: i.kind })) };
  }),

  'keys.remove': async (ctx, i) => {
    const r = await ctx.crypto.keystore.remove(i.ref);
    if (r.kind === 'secret') ctx.crypto.lock(r.key.fingerprint);
    return { fingerprint: r.key.fingerprint, kind: r.kind };
  },

  'keys.unlock': async (ctx, i) => ctx.crypto.unlock(i.ref, i.passphrase, i.seconds),
  'keys.lock': async (ctx, i) => ctx.crypto.lock(i.ref),
  'keys.state': async (ctx) => ctx.crypto.state(),

  'sealed.open': (ctx, i) => recorded(ctx, 'sealed.open', { ...caseOf(i.source), ...(i.source.file ? { file: i.source.file } : {}) }, async (note) => {
    const secrets = secretsOf(i);
    const { bytes, name, sha256 } = await ctx.crypto.read(sourceOf(i.source));
    note({ name, sha256, openedBy: openedBy(secrets) });
    const opened = await ctx.crypto.decrypt(bytes, secrets);
    note({ openedBy: opened.openedBy, recipients: opened.recipients, signer: opened.signatures.map((s) => ({ keyId: s.signer, userId: s.signerUserId, status: s.status })) });
    const info = ctx.crypto.sessions.add({ name, sha256, recipients: opened.recipients, signatures: opened.signatures }, opened.data);
    note({ sessionId: info.sessionId, fields: info.fields.length });
    return info;
  }),

  'sealed.list': async (ctx) => ctx.crypto.sessions.list(),

  'sealed.reveal': (ctx, i) => recorded(ctx, 'sealed.reveal', { ...caseOf(i), sessionId: i.sessionId, field: formatPath(i.path) }, async (note) => {
    const s = ctx.crypto.sessions.get(i.sessionId);
    note({ name: s.name, sha256: s.sha256 });
    const r = ctx.crypto.reveal(i.sessionId, i.path);
    return { path: i.path, kind: r.kind as 'string', value: r.value };
  }),

  'sealed.copy': (ctx, i) => recorded(ctx, 'sealed.copy', { ...caseOf(i), sessionId: i.sessionId, field: formatPath(i.path) }, async (note) => {
    const s = ctx.crypto.sessions.get(i.sessionId);
    note({ name: s.name, sha256: s.sha256 });
    if (!ctx.copy) throw new EngineError('forbidden', 'Copying to the clipboard needs the desktop app (it clears the clipboard afterwards); reveal the field instead.');
    const seconds = i.clearAfterSeconds ?? 30;
    note({ clearAfterSeconds: seconds });
    await ctx.copy(ctx.crypto.reveal(i.sessionId, i.path).value, seconds * 1000);
    return { path: i.path, clearAfterSeconds: seconds };
  }),

  'sealed.close': (ctx, i) => recorded(ctx, 'sealed.close', { ...caseOf(i), sessionId: i.sessionId }, async (note) => {
    const s = ctx.crypto.sessions.list().find((x) => x.sessionId === i.sessionId);
    if (s) note({ name: s.name, sha256: s.sha256 });
    return { closed: ctx.crypto.sessions.close(i.sessionId) };
  }),

  'sealed.seal': (ctx, i) => recorded(ctx, 'sealed.seal', { file: i.file, to: i.to, ...(i.signWith ? { signWith: i.signWith } : {}), ...(i.overwrite ? { overwrite: true } : {}) }, async (note) => {
    const src = path.resolve(i.file);
    const out = sealedOutput(i.file, i.out);
    if (out === src) throw new EngineError('invalid_input', 'The sealed file cannot replace the plaintext it is made from.');
    // Refused before any key is used (and again at the write, should the file appear meanwhile): gpg --batch does the same without --yes.
    const exists = () => new EngineError('conflict', `${out} already exists; sealing does not replace a file unless asked (--force on the command line, overwrite: true in the call).`);
    if (!i.overwrite && await fs.lstat(out).then(() => true, () => false)) throw exists();
    const plain = await readSmallFile(i.file, MAX_BUNDLE_BYTES, '', `${path.basename(src)} is too large for a profile or credential bundle.`);
    const keys = [];
    for (const r of i.to) keys.push(await ctx.crypto.keystore.recipient(r));
    const recipients = keys.map((k) => k.getFingerprint().toUpperCase());
    note({ recipients });
    let armored: string;
    try {
      armored = await ctx.crypto.encryptTo(keys, plain, i.signWith);
    } finally {
      plain.fill(0);
    }
    if (i.overwrite) await writeFileAtomic(out, armored);
    else if (!await createFileAtomic(out, armored)) throw exists();
    const sha256 = createHash('sha256').update(armored).digest('hex');
    note({ out, sha256 });
    return { out, sha256, recipients };
  }),

  'profiles.importSealed': (ctx, i) => recorded(ctx, 'profiles.importSealed', { ...caseOf(i.source), ...(i.source.file ? { file: i.source.file } : {}) }, async (note) => {
    const secrets = secretsOf(i);
    const { bytes, name, sha256 } = await ctx.crypto.read(sourceOf(i.source));
    note({ name, sha256, openedBy: openedBy(secrets) });
    const { openedBy: by, ...info } = await importSealedProfile(ctx.crypto, bytes, name, sha256, secrets);
    note({ openedBy: by, profile: info.name, signer: info.signatures.map((s) => ({ keyId: s.signer, status: s.status })) });
    return info;
  }),
};
