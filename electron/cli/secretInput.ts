// Secrets for CLI commands (key passphrases, bundle passwords, session keys): asked on the terminal without echo,
// or read from an inherited file descriptor for scripts (`--passphrase-fd 3`, as gpg does). Never from argv, where
// every user of the machine could read them in the process list.
import { readFileSync } from 'node:fs';

export class SecretInputError extends Error {}

/** The first line of file descriptor `fd` (gpg's --passphrase-fd semantics). */
export function readSecretFd(fd: number): string {
  if (!Number.isInteger(fd) || fd < 0) throw new SecretInputError(`--passphrase-fd needs a file descriptor number, not "${String(fd)}".`);
  if (fd <= 2 && fd !== 0) throw new SecretInputError('--passphrase-fd cannot be stdout or stderr.');
  let text: string;
  try {
    text = readFileSync(fd, 'utf8');
  } catch (e) {
    throw new SecretInputError(`Cannot read the passphrase from file descriptor ${fd}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
  }
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  // Nothing there (a closed pipe, an unset variable) would be tried as a passphrase and called wrong.
  if (!line) throw new SecretInputError(`File descriptor ${fd} gave no passphrase (its first line is empty): write the passphrase to it, one line.`);
  return line;
}

interface TtyIn extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

/** Asks on the terminal with echo off; Ctrl-C aborts, backspace edits. */
export function promptHidden(prompt: string, input: TtyIn = process.stdin, output: NodeJS.WritableStream = process.stderr): Promise<string> {
  if (!input.isTTY || !input.setRawMode) {
    return Promise.reject(new SecretInputError('No terminal to ask for the passphrase on: pass it with --passphrase-fd <n>.'));
  }
  output.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode!(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new SecretInputError('Cancelled.'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}

/** A secret from `--passphrase-fd` when given, else from the terminal. */
export async function readSecret(prompt: string, fd?: number | string): Promise<string> {
  if (fd !== undefined) return readSecretFd(typeof fd === 'string' ? Number(fd) : fd);
  return promptHidden(prompt);
}
