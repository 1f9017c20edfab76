// export.preview and export.run (an `export` job: progress per batch, cancel between batches). The client's key
// and the operator's own key come from the keystore; the export's audit entry records what left, never values.
import type * as openpgp from 'openpgp';
import type { AreaHandlers, EngineContext } from '../api';
import { EngineError } from '../api';
import { Detectors } from '../redact/detect';
import { Pseudonymizer } from '../redact/pseudonym';
import { Redactor } from '../redact/redactor';
import { buildSelection, COLUMNS, pages, TEXT_COLUMNS } from './select';
import { clientPseudonymKey } from './clientKey';
import { clientRulesFor } from './clientRules';
import { CryptoError } from '../crypto/errors';
import { sealStream } from '../crypto/pgp';
import { RedactionRules } from '../../../shared/redaction';
import { rulesWarnings } from './rulesWarnings';
import { tokensIn } from '../../../shared/contract/exportHistory';
import { exportHistory } from './history';
import { mapsToSearch, reidentify } from './reidentify';
import { type ClientRecipient, ExportBlocked, redactionSetupFor, type Recipient, requireCaseFolder, runExport } from './run';

/**
 * Whether the key has a usable encryption (sub)key (not signing only, expired or revoked): asked before anything is
 * read, not said as OpenPGP's "Could not find valid encryption key packet" once the extract is redacted and checked.
 */
async function canEncrypt(key: openpgp.Key): Promise<boolean> {
  return key.getEncryptionKey().then(() => true, () => false);
}

const NO_ENCRYPTION = 'it has no usable encryption subkey (a signing-only key, or its encryption subkey expired or was revoked)';

/** Uses the engine's one keystore and unlocker (built once, not per call): the operator's unlocked key opens a stored client key. */
async function recipients(ctx: EngineContext, to: string | undefined): Promise<{ client: ClientRecipient | null; operator: Recipient | null }> {
  const crypto = ctx.crypto;
  let client: ClientRecipient | null = null;
  if (to) {
    const key = await crypto.keystore.recipient(to).catch((e: Error) => {
      // the keystore's own "no key" sentence said the same twice; "names more than one key" and a damaged index stay its own
      throw new EngineError('invalid_input', e instanceof CryptoError && e.message.startsWith('No key ')
        ? `No client key "${to}" in the keystore: import the client's public key first (casefile key import <file>, or Keys in the app; casefile key list shows the keys there).`
        : `Client key "${to}": ${e.message}`);
    });
    if (!await canEncrypt(key)) {
      throw new EngineError('invalid_input', `Client key "${to}" (${key.getFingerprint().toUpperCase()}) cannot be encrypted to: ${NO_ENCRYPTION}. `
        + 'Nothing was exported: import a current public key of the client (casefile key import --client <file>, or Keys in the app).');
    }
    client = { fingerprint: key.getFingerprint().toUpperCase(), encrypt: (d) => crypto.encryptTo([key], d), encryptStream: (s) => sealStream(s, [key]) };
  }
  // "no key of yours" is only an empty keystore: keys that cannot be read (a damaged index, a missing key file) refuse
  // the export, which would otherwise go out without the map that alone re-identifies its pseudonyms
  const mine = await crypto.operatorKeys().catch((e: unknown) => {
    throw new EngineError('invalid_input', `The re-identification map is encrypted to your key, and your keys cannot be read: ${e instanceof Error ? e.message : String(e)} Nothing was exported.`);
  });
  // the map goes to the first of the operator's keys that can take it; none at all: the map is not kept (said)
  const usable: openpgp.Key[] = [];
  for (const k of mine) if (await canEncrypt(k)) usable.push(k);
  if (mine.length && !usable.length) {
    const fpr = mine[0]!.getFingerprint().toUpperCase();
    throw new EngineError('invalid_input', `Your key ${fpr} cannot be encrypted to: ${NO_ENCRYPTION}, and the re-identification map is encrypted to it. `
      + `Nothing was exported: import a key of yours that can encrypt (casefile key import <file>, or Keys in the app), or remove this one (casefile key remove ${fpr}) to export without keeping the map.`);
  }
  const operator = usable[0] ? { fingerprint: usable[0].getFingerprint().toUpperCase(), encrypt: (d: Uint8Array) => crypto.encryptTo([usable[0]!], d) } : null;
  return { client, operator };
}

/** A map decrypted with the unlocked keys. A locked key keeps the keystore's own sentence (the CLI asks its passphrase
 * on it); any other failure (another key's map, a tampered one) says it was the map and that nothing was returned. */
async function openMap(ctx: EngineContext, bytes: Uint8Array, exportId: string): Promise<Uint8Array> {
  try {
    return (await ctx.crypto.decrypt(bytes)).data;
  } catch (e) {
    if (e instanceof CryptoError && e.kind !== 'locked') {
      throw new CryptoError(e.kind, `The re-identification map of export ${exportId} (redaction/${exportId}.map.pgp) cannot be opened with your keys: ${e.message} Nothing was returned.`, e.recipients);
    }
    throw e;
  }
}

export const exportHandlers: AreaHandlers<'export'> = {
  'export.list': async (ctx, input) => ({ exports: await exportHistory(ctx.getCase(input.caseId)) }),

  // One entry per call, naming the tokens asked and the exports whose maps were opened: never an original (the
  // answer's only copy is the one returned).
  'export.reidentify': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    const tokens = tokensIn(input.text);
    const params = { caseId: input.caseId, exportId: input.exportId ?? null, tokens, searched: [] as string[] };
    try {
      if (!tokens.length) throw new EngineError('invalid_input', 'No pseudonym in the text: tokens look like <user:7F3A9C2QWE>.');
      params.searched = mapsToSearch(h.dir, input.exportId);
      if (!(await ctx.crypto.keystore.listSecret()).length) {
        throw new EngineError('forbidden', 'No key of yours in the keystore: the maps are encrypted to your key; import it first (casefile key import, or Keys in the app).');
      }
      const r = await reidentify(h.dir, tokens, params.searched, (bytes, id) => openMap(ctx, bytes, id));
      await ctx.audit('export.reidentify', params, { status: 'ok', counts: { tokens: tokens.length, found: r.found.length, notFound: r.notFound.length, maps: r.searched.length } });
      return r;
    } catch (e) {
      await ctx.audit('export.reidentify', params, { status: 'error', message: e instanceof Error ? e.message : String(e) });
      throw e;
    }
  },

  'export.preview': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    const { rules } = await clientRulesFor(h, { ...(input.profile ? { profile: input.profile } : {}), ...(input.rules ? { rules: input.rules } : {}) });
    const sel = await buildSelection(h.db, input.selection);
    // the same pass 1 as the export (identifiers, context users, names under their fields): preview = export
    const setup = await redactionSetupFor(h, rules, sel);
    const r = new Redactor(new Detectors({ rules: setup.rules, idPatterns: setup.idPatterns, harvest: setup.harvest }), new Pseudonymizer(Pseudonymizer.randomKey()));
    const [{ n } = { n: 0 }] = await h.db.read<{ n: number | string }>(`SELECT count(*) AS n FROM events s WHERE ${sel.cond}`, sel.params.values);
    const rows = [];
    for await (const page of pages(h.db, sel, input.limit)) {
      for (const row of page) {
        for (const c of COLUMNS) {
          if (!TEXT_COLUMNS.has(c) || row[c] === null) continue;
          const out = r.redact(String(row[c]), String(row.id));
          if (c === 'raw' || out.replacements.length) rows.push({ id: Number(row.id), column: c, text: out.text, replacements: out.replacements });
        }
      }
      break;
    }
    return { total: Number(n), rows, byType: Object.fromEntries(r.counts.byType), warnings: await rulesWarnings(h, setup.rules) };
  },

  'export.run': async (ctx, input) => ctx.jobs.run(input.caseId, 'export', async (signal, progress) => {
    const h = ctx.getCase(input.caseId);
    await requireCaseFolder(h.dir);
    const { client, operator } = await recipients(ctx, input.to);
    const { rules, profiles } = await clientRulesFor(h, { ...(input.profile ? { profile: input.profile } : {}), ...(input.rules ? { rules: input.rules } : {}) });
    const scope = input.pseudonymScope ?? 'per-export';
    // who the client is: a per-client key is made and kept under this name (the report and the history show it)
    const clientName = scope === 'per-client' ? input.client ?? input.profile ?? profiles[0] ?? client?.fingerprint ?? '' : input.client ?? input.profile ?? null;
    const pseudonymKey = scope === 'per-client'
      ? await clientPseudonymKey(h.dir, clientName ?? '', {
        operator, decrypt: async (armored) => (await ctx.crypto.decrypt(Buffer.from(armored))).data,
      })
      : undefined;
    try {
      const r = await runExport(h, {
        selection: input.selection, format: input.format, rules, profiles,
        ...(pseudonymKey ? { pseudonymScope: scope, pseudonymKey } : {}),
        recipient: input.plaintext ? null : client, operator, signal,
        // each setup step its own phase: the runner says a new phase at once (a step of seconds would otherwise show
        // the words of the step before it until the next heartbeat)
        onProgress: (p) => progress({
          phase: p.step ? `${p.phase}-${p.step}` : p.phase, done: p.rows, total: p.total, unit: 'rows',
          ...(p.words ? { message: p.words } : {}),
        }),
      });
      // caseId: the entry goes to the case's own trail (the exports' history reads it there); the selection is the
      // report's, redacted like the data and re-scanned with it
      await ctx.audit('export.written', {
        caseId: input.caseId, exportId: r.exportId, selection: r.selection, byRule: r.byRule, client: clientName, pseudonymScope: scope, format: r.format, rulesVersion: r.rules.gitleaks, rulesSha256: r.rules.gitleaksSha256, clientRulesSha256: r.rules.clientSha256,
        files: r.files, recipientFingerprint: r.recipient, mapKept: r.mapKept,
      }, { status: 'ok', counts: { events: r.events, ...r.byType } });
      return { ...r, client: clientName, warnings: await rulesWarnings(h, RedactionRules.parse(rules)) };
    } catch (e) {
      if (e instanceof ExportBlocked) {
        const counts: Record<string, number> = {};
        for (const hit of e.hits) counts[`${hit.check}:${hit.detail}`] = (counts[`${hit.check}:${hit.detail}`] ?? 0) + 1;
        await ctx.audit('export.blocked', { caseId: input.caseId, format: input.format, to: input.to ?? null, client: input.client ?? input.profile ?? null }, { status: 'error', message: 'fail-closed check found hits', counts });
      }
      throw e;
    }
  }, { ...(input.jobId ? { jobId: input.jobId } : {}), outcome: (r) => `${r.events} events written to ${r.dir} (${r.encrypted ? `encrypted to ${r.recipient}` : 'plaintext'})` }),
};
