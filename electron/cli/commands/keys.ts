// `casefile key import|list|remove`, `casefile open`, `casefile seal`: the operator's keys and sealed files from the
// shell. Passphrases, passwords and session keys are asked without echo or read from `--passphrase-fd`, never argv.
// Every action goes through the engine's contract calls, so it is audited exactly as in the app.
import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { Engine, ContractFailure } from '../../engine/engine';
import { fail, printJson, printTable, readInputFile } from '../output';
import { printable, printableJson } from '../../../shared/printable';
import { readSecret } from '../secretInput';
import { formatPath, parsePath } from '../../engine/crypto/sealedSession';
import { sealedOutput } from '../../engine/crypto/paths';
import type { OpenedBundle } from '../../../shared/contract/sealed';
import { signatureText } from '../../../shared/signatureText';
import { duplicateNotes } from '../../../shared/fieldPath';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');

async function withEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.create({ via: 'cli' });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** The case an action is recorded in, when `--case` names one. */
async function caseIdFor(engine: Engine, dir?: string): Promise<string | undefined> {
  return dir ? (await engine.call('cases.open', { dir })).id : undefined;
}

/** Unlocks `ref`, asking for its passphrase (once; a wrong one fails the command). */
async function unlock(engine: Engine, ref: string, label: string, fd?: string): Promise<void> {
  const passphrase = await readSecret(`Passphrase for ${label}: `, fd);
  await engine.call('keys.unlock', { ref, passphrase });
}

/** Runs a call that decrypts with my keys; when it says my key is locked, asks that key's passphrase and runs it once more. */
export async function withUnlocked<T>(engine: Engine, run: () => Promise<T>, fd?: string): Promise<T> {
  return run().catch(async (e: unknown) => {
    const m = e instanceof ContractFailure ? /your key ([0-9A-F]{16}) \(([^)]*)\), which is locked/.exec(e.error.message) : null;
    if (!m) throw e;
    await unlock(engine, m[1]!, `${m[2]} (${m[1]})`, fd);
    return run();
  });
}

export function registerKeyCommands(program: Command): void {
  const key = program.command('key').description('Your secret keys (exported from GnuPG) and clients\' public keys');

  key.command('import <file>')
    .description('Import a secret key from `gpg --export-secret-keys --armor` (kept as-is, passphrase-protected), or with --client a client\'s public key')
    .option('--client', 'a client\'s public key (for exports sealed to them)')
    .action(async (file: string, opts: { client?: boolean }) => {
      try {
        await withEngine(async (engine) => {
          const bytes = readInputFile(file);
          const armored = /^\s*-----BEGIN PGP/.test(bytes.subarray(0, 100).toString('latin1')) ? bytes.toString('utf8') : bytes.toString('base64');
          const r = await engine.call('keys.import', { kind: opts.client ? 'client' : 'secret', armored });
          for (const k of r.imported) out(`Imported ${k.kind} key ${k.fingerprint} ${printable(k.userIds[0] ?? '')}`.trimEnd());
        });
      } catch (e) { fail(e); }
    });

  key.command('list')
    .description('List keys: how each is protected and which doors (desktop, cli, browser) can unlock it')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      try {
        await withEngine(async (engine) => {
          const r = await engine.call('keys.list', {});
          if (opts.json) return printJson(r);
          out('Your keys:');
          printTable(r.secret.map((k) => ({ fingerprint: k.fingerprint, user: k.userIds[0] ?? '', algorithm: k.algorithm, protection: k.protection, doors: k.doors.join(',') })));
          out('\nClient keys:');
          printTable(r.clients.map((k) => ({ fingerprint: k.fingerprint, user: k.userIds[0] ?? '', algorithm: k.algorithm })));
          if (!r.safeStorage) out('\n(This door has no OS keychain: keys are protected by their passphrase only.)');
        });
      } catch (e) { fail(e); }
    });

  key.command('remove <ref>')
    .description('Remove a key by fingerprint, key id or user id')
    .action(async (ref: string) => {
      try {
        await withEngine(async (engine) => {
          const r = await engine.call('keys.remove', { ref });
          out(`Removed ${r.kind} key ${printable(r.fingerprint)}`);
        });
      } catch (e) { fail(e); }
    });

  program.command('open <file>')
    .description('Open a sealed (PGP-encrypted) credential bundle: its fields masked, or one value with --reveal')
    .option('--fields', 'list the fields, masked (the default)')
    .option('--reveal <path>', 'print one field\'s value to stdout (audited; as it is into a pipe, its control characters escaped at a terminal), e.g. db.password, or DB_PASSWORD#2 for the second entry of a key the file repeats')
    .option('--password', 'the file is sealed with a password: ask for it instead of a key passphrase')
    .option('--session-key', 'open with a session key from `gpg --show-session-key` (smartcard keys)')
    .option('--passphrase-fd <n>', 'read the passphrase (or password, or session key) from this file descriptor')
    .option('--case <dir>', 'record the access in this case\'s audit trail')
    .addOption(new Option('--json', 'print the masked tree as JSON').conflicts('reveal'))
    .action(async (file: string, opts: { reveal?: string; password?: boolean; sessionKey?: boolean; passphraseFd?: string; case?: string; json?: boolean }) => {
      try {
        const fieldPath = opts.reveal !== undefined ? parsePath(opts.reveal) : undefined;
        await withEngine(async (engine) => {
          const caseId = await caseIdFor(engine, opts.case);
          const source = { file, ...(caseId ? { caseId } : {}) };
          let opened: OpenedBundle;
          if (opts.password || opts.sessionKey) {
            const secret = await readSecret(opts.password ? 'Password for this file: ' : 'Session key: ', opts.passphraseFd);
            opened = await engine.call('sealed.open', { source, ...(opts.password ? { password: secret } : { sessionKey: secret }) });
          } else {
            // Locked key of mine: ask for its passphrase and try once more.
            opened = await withUnlocked(engine, () => engine.call('sealed.open', { source }), opts.passphraseFd);
          }
          if (fieldPath) {
            // stdout is the value alone; a repeated key in the file is still said, beside it.
            for (const note of duplicateNotes(opened)) process.stderr.write(`${printable(`Warning: ${note}`)}\n`);
            const r = await engine.call('sealed.reveal', { sessionId: opened.sessionId, path: fieldPath, ...(caseId ? { caseId } : {}) });
            // Exact into a pipe (a script takes the secret); at a terminal, what the operator reads, shown safely.
            out(process.stdout.isTTY ? printable(r.value) : r.value);
          } else if (opts.json) {
            const { name, sha256, format, signatures, fields, duplicates, duplicateKeys } = opened;
            printJson({ name, sha256, format, signatures, fields, duplicates, duplicateKeys });
          } else {
            printMasked(opened);
          }
          await engine.call('sealed.close', { sessionId: opened.sessionId, ...(caseId ? { caseId } : {}) });
        });
      } catch (e) { fail(e); }
    });

  program.command('seal <file>')
    .description('Encrypt a file (e.g. a site profile) to keys so GnuPG 2.2/2.4 and Casefile can open it; writes <file>.asc')
    .requiredOption('--to <key...>', 'recipient: your key or a client key (fingerprint, key id or user id); repeatable')
    .option('--out <file>', 'where to write the sealed file (default <file>.asc)')
    .option('--sign <key>', 'sign with this key of yours (asks its passphrase)')
    .option('--passphrase-fd <n>', 'read the signing key\'s passphrase from this file descriptor')
    .option('--force', 'replace the output file if it exists (otherwise an existing file is refused and left as it is)')
    .action(async (file: string, opts: { to: string[]; out?: string; sign?: string; passphraseFd?: string; force?: boolean }) => {
      try {
        await withEngine(async (engine) => {
          // An output the engine will refuse (it exists, no --force) is refused before the passphrase is asked: the
          // engine's call still says it, and audits it, with no key used.
          const refused = !opts.force && existsSync(sealedOutput(file, opts.out));
          if (opts.sign && !refused) await unlock(engine, opts.sign, opts.sign, opts.passphraseFd);
          const r = await engine.call('sealed.seal', { file, to: opts.to, ...(opts.out ? { out: opts.out } : {}), ...(opts.sign ? { signWith: opts.sign } : {}), overwrite: opts.force === true });
          out(printable(`Sealed to ${r.recipients.join(', ')}: ${r.out}`));
        });
      } catch (e) { fail(e); }
    });
}

function printMasked(b: OpenedBundle): void {
  // The file's name, its signers' user ids and its field names are the sender's text. A field name with such
  // characters is shown as --reveal takes it (a JSON string, the characters as \u escapes).
  out(`${printable(b.name)}  sha256 ${b.sha256}  (${b.format})`);
  for (const s of b.signatures) out(printable(signatureText(s)));
  for (const note of duplicateNotes(b)) out(printable(`Warning: ${note}`));
  for (const f of b.fields) {
    const leaf = f.kind !== 'object' && f.kind !== 'array';
    out(`${'  '.repeat(f.path.length - 1)}${printableJson(formatPath(f.path.slice(-1)))}${leaf ? `  ••••• (${f.kind})` : ''}`);
  }
}
