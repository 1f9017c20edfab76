// Ctrl-C on `casefile export`, and an --out that cannot be written. Ctrl-C killed the process mid-write (Node's
// default), leaving the partial extract (redacted, never re-scanned) in the case's exports/ until the next export; an
// --out that could not be made was found only after the export was written into the case.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTree } from '../../testkit/synth/generate';
import { removeDir, tempDir } from '../../testkit/tmp';
import { CLI_BIN, cliRunner } from '../../testkit/cliChild';
import { copyOut } from './export';

const root = tempDir('casefile-cli-export-sigint-');
const env = { ...process.env, CASEFILE_HOME: path.join(root, 'home') };
const cli = cliRunner(env, 240_000);
const caseDir = path.join(root, 'case');
const exportsDir = path.join(caseDir, 'exports');
const listExports = () => (fs.existsSync(exportsDir) ? fs.readdirSync(exportsDir).sort() : []);

beforeAll(async () => {
  await generateTree(path.join(root, 'gen'), { targetBytes: 8_000_000, seed: 3 });
  const r = cli('import', path.join(root, 'gen', 'enrich'), '--case', caseDir);
  expect(r.status, r.stderr).toBe(0);
}, 240_000);
afterAll(() => removeDir(root));

/** Runs the export and sends SIGINT once its staging folder (the extract being written) is there. */
function exportInterrupted(out: string): Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI_BIN, 'export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--out', out], { env });
    let stderr = '';
    let stdout = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const poll = setInterval(() => {
      if (!listExports().some((n) => n.startsWith('.staging-'))) return;
      clearInterval(poll);
      p.kill('SIGINT');
    }, 20);
    p.on('close', (code, signal) => { clearInterval(poll); resolve({ code, signal, stderr, stdout }); });
  });
}

describe('casefile export stopped or refused', () => {
  it('Ctrl-C cancels the export: its partial extract is removed, --out is left as it was, exit 130', async () => {
    const before = listExports();
    const out = path.join(root, 'deliver');
    const r = await exportInterrupted(out);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/stopping the export/);
    expect(r.stderr).toMatch(/export cancelled: nothing was written/);
    expect(listExports()).toEqual(before.filter((n) => !n.startsWith('.staging-')));
    expect(fs.existsSync(out)).toBe(false);
    // the next export runs as usual
    const again = cli('export', '--case', caseDir, '--format', 'jsonl', '--plaintext', '--where', "level = 'ERROR'", '--out', out);
    expect(again.status, again.stderr).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['events.jsonl', 'manifest.json', 'report.json']);
  }, 240_000);

  it('an --out that cannot be made (under a file, a dangling link) is refused before anything is exported', () => {
    const before = listExports();
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'x\n');
    const dangling = path.join(root, 'dangling');
    fs.symlinkSync(path.join(root, 'nowhere'), dangling);
    for (const out of [path.join(file, 'sub'), dangling]) {
      const r = cli('export', '--case', caseDir, '--format', 'csv', '--plaintext', '--out', out);
      expect(r.status, out).toBe(1);
      expect(r.stderr, out).toMatch(/--out .* cannot be made \(.*\): give a folder outside the case .* nothing was exported/);
      expect(r.stderr, out).not.toMatch(/^casefile: E[A-Z]+:/m);
    }
    expect(listExports()).toEqual(before);
    expect(fs.existsSync(path.join(root, 'nowhere'))).toBe(false);
  });

  it('copies the deliverable into --out whole or not at all: a name taken there keeps its file, and nothing of this copy is left', () => {
    const from = path.join(root, 'from');
    fs.mkdirSync(from);
    for (const n of ['events.jsonl.pgp', 'report.json.pgp', 'manifest.json.pgp']) fs.writeFileSync(path.join(from, n), `${n}\n`);
    const out = path.join(root, 'taken');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'report.json.pgp'), 'the earlier report\n');
    expect(() => copyOut(from, ['events.jsonl.pgp', 'report.json.pgp', 'manifest.json.pgp'], out)).toThrow(/EEXIST/);
    expect(fs.readdirSync(out)).toEqual(['report.json.pgp']);
    expect(fs.readFileSync(path.join(out, 'report.json.pgp'), 'utf8')).toBe('the earlier report\n');
    const fresh = path.join(root, 'fresh');
    fs.mkdirSync(fresh);
    copyOut(from, ['events.jsonl.pgp', 'report.json.pgp', 'manifest.json.pgp'], fresh);
    expect(fs.readdirSync(fresh).sort()).toEqual(['events.jsonl.pgp', 'manifest.json.pgp', 'report.json.pgp']);
    expect(fs.readFileSync(path.join(fresh, 'events.jsonl.pgp'), 'utf8')).toBe('events.jsonl.pgp\n');
  });
});
