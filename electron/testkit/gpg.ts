// A throwaway GnuPG home for tests: real `gpg --batch` makes keys and messages the way an operator would, and the
// agent it starts is killed at the end. GPG (env) may name another gpg binary (e.g. a 2.4 build).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface GpgKey {
  fingerprint: string;
  /** Long key ids of the primary key and every subkey (upper-case hex, 16 digits). */
  keyIds: string[];
  secretArmored: string;
  publicArmored: string;
  passphrase: string;
  uid: string;
}

export interface EncryptOptions {
  /** Recipients (uids or fingerprints). */
  to?: string[];
  /** Symmetric (password) encryption, alone or with recipients. */
  password?: string;
  /** Sign with this key while encrypting. */
  signWith?: GpgKey;
  armor?: boolean;
  /** More gpg options (`--cipher-algo`, `--compress-algo`, …). */
  extra?: string[];
}

export const gpgBinary = () => process.env.GPG ?? 'gpg';

export function gpgAvailable(): boolean {
  return spawnSync(gpgBinary(), ['--version']).status === 0;
}

export class GpgLab {
  private constructor(readonly home: string) {}

  static create(): GpgLab {
    return new GpgLab(mkdtempSync(path.join(os.tmpdir(), 'casefile-gnupg-')));
  }

  /** Runs gpg in this home; resolves with stdout, rejects with stderr on a non-zero exit. */
  run(args: string[], input?: string | Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const p = spawn(gpgBinary(), ['--homedir', this.home, '--batch', '--yes', '--no-tty', '--pinentry-mode', 'loopback', ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      p.stdout.on('data', (d: Buffer) => out.push(d));
      p.stderr.on('data', (d: Buffer) => err.push(d));
      p.on('error', reject);
      p.stdin.on('error', () => undefined); // gpg may exit before reading its input; its exit code says why
      p.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(out));
        else reject(new Error(`gpg ${args.filter((a) => !a.startsWith('--passphrase')).join(' ')} exited ${code}: ${Buffer.concat(err).toString()}`));
      });
      p.stdin.end(input ?? '');
    });
  }

  /** A passphrase-protected key (ed25519 signing primary + cv25519 encryption subkey unless `algo` says otherwise). */
  async genKey(uid: string, passphrase: string, algo = 'default'): Promise<GpgKey> {
    await this.run(['--passphrase', passphrase, '--quick-gen-key', uid, algo, 'default', 'never']);
    const colons = (await this.run(['--with-colons', '--list-keys', uid])).toString();
    const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(colons)![1]!;
    const keyIds = [...colons.matchAll(/^(?:pub|sub):[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/gm)].map((m) => m[1]!);
    const secretArmored = (await this.run(['--passphrase', passphrase, '--armor', '--export-secret-keys', fingerprint])).toString();
    const publicArmored = (await this.run(['--armor', '--export', fingerprint])).toString();
    return { fingerprint, keyIds, secretArmored, publicArmored, passphrase, uid };
  }

  async importPublic(armored: string): Promise<void> {
    await this.run(['--import'], armored);
  }

  async encrypt(data: string | Uint8Array, o: EncryptOptions): Promise<Buffer> {
    const args: string[] = [...(o.extra ?? [])];
    if (o.armor) args.push('--armor');
    if (o.password !== undefined) args.push('--passphrase', o.password, '--symmetric');
    if (o.signWith) args.push('--passphrase', o.signWith.passphrase, '--local-user', o.signWith.fingerprint, '--sign');
    if (o.to?.length) {
      args.push('--trust-model', 'always', '--encrypt');
      for (const r of o.to) args.push('--recipient', r);
    }
    if (o.password !== undefined && o.signWith) throw new Error('gpg takes one --passphrase: sign or password, not both');
    return this.run(args, data);
  }

  /** What gpg makes of a message: the plaintext (throws if gpg cannot decrypt it). */
  decrypt(message: Uint8Array, passphrase: string): Promise<Buffer> {
    return this.run(['--passphrase', passphrase, '--decrypt'], message);
  }

  /** The session key as `gpg --show-session-key` prints it (`9:HEX`, or `9.2:HEX` for OCB). */
  async sessionKey(message: Uint8Array, passphrase: string): Promise<string> {
    const r = spawnSync(gpgBinary(), ['--homedir', this.home, '--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', passphrase,
      '--show-session-key', '--decrypt'], { input: message });
    const m = /session key: '([0-9.]+:[0-9A-F]+)'/.exec(r.stderr.toString());
    if (!m) throw new Error(`no session key: ${r.stderr.toString()}`);
    return m[1]!;
  }

  /** Stops the agent this home started and removes the home. */
  close(): void {
    spawnSync('gpgconf', ['--homedir', this.home, '--kill', 'all']);
    rmSync(this.home, { recursive: true, force: true });
  }
}
