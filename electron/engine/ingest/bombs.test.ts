// Decompression bombs at the import door (issue 8, item 4): made at test time from repeated gzip members (a valid
// gzip file whose members decompress one after another), never materialised. The import runs in a real CLI child
// process whose peak RSS is measured (process.resourceUsage().maxRSS, printed on exit by a preload).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { CaseHandle } from '../case/caseStore';
import { tempDir, removeDir } from '../../testkit/tmp';
import { CLI_BIN } from '../../testkit/cliChild';

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));
const MiB = 1 << 20;
const RSS_LIMIT_MB = 600;

/** `mib` MiB of zeros as gzip, ~1000:1, built from one compressed MiB repeated. */
function zerosGz(mib: number, before: Buffer = Buffer.alloc(0), after: Buffer = Buffer.alloc(0)): Buffer {
  const member = gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat([...(before.length ? [gzipSync(before)] : []), ...Array<Buffer>(mib).fill(member), ...(after.length ? [gzipSync(after)] : [])]);
}

const PRELOAD = `data:text/javascript,process.on('exit',()=>process.stderr.write('MAXRSS_KB '+process.resourceUsage().maxRSS+'\\n'))`;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string; rssMb: number; seconds: number }> {
  const t = performance.now();
  const child = spawn(process.execPath, ['--import', PRELOAD, CLI_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  const kb = Number(/MAXRSS_KB (\d+)/.exec(stderr)?.[1] ?? NaN);
  return { code, stdout, stderr, rssMb: kb / 1024, seconds: (performance.now() - t) / 1000 };
}

function root(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

describe('decompression bombs', () => {
  it('refuses a 5 MB .log.gz holding 5 GiB of zeros without a newline, quickly and in bounded memory', async () => {
    const r = root();
    const bomb = path.join(r, 'app.log.gz');
    writeFileSync(bomb, zerosGz(5 * 1024));
    const caseDir = path.join(r, 'case');
    const res = await cli(['import', bomb, '--case', caseDir], { CASEFILE_HOME: path.join(r, 'home') });
    console.log(`gz bomb refused: exit ${res.code}, peak RSS ${res.rssMb.toFixed(0)} MB, ${res.seconds.toFixed(1)} s`);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/expands more than 200:1 .*refused as a decompression bomb/);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(res.rssMb).toBeLessThan(RSS_LIMIT_MB);
  }, 120_000);

  it('imports the same 5 GiB line when the ratio check is off, keeping its start, length and sha256, in bounded memory', async () => {
    const r = root();
    const bomb = path.join(r, 'app.log.gz');
    writeFileSync(bomb, zerosGz(5 * 1024));
    const caseDir = path.join(r, 'case');
    const res = await cli(['import', bomb, '--case', caseDir, '--json'], { CASEFILE_HOME: path.join(r, 'home'), CASEFILE_MAX_RATIO: '0' });
    console.log(`gz bomb imported: exit ${res.code}, peak RSS ${res.rssMb.toFixed(0)} MB, ${res.seconds.toFixed(1)} s`);
    expect(res.code, res.stderr).toBe(0);
    expect(res.rssMb).toBeLessThan(RSS_LIMIT_MB);
    const h = await CaseHandle.open(caseDir, { readOnly: true });
    try {
      const rows = await h.db.read<{ n: string; len: string; raw: string; lines: string }>(
        `SELECT count(*)::VARCHAR AS n, max(length(raw))::VARCHAR AS len, any_value(right(raw, 300)) AS raw, sum(line_count)::VARCHAR AS lines FROM event_store`);
      expect(rows[0]).toMatchObject({ n: '1', lines: '1' });
      expect(Number(rows[0]!.len)).toBeLessThan(MiB + 400);
      expect(rows[0]!.raw).toMatch(new RegExp(`line cut at ${MiB} of ${5 * 1024 * MiB} characters; sha256 of the whole line's text [0-9a-f]{64}`));
      const files = await h.db.read<{ note: string }>(`SELECT note FROM files`);
      expect(files[0]!.note).toMatch(/1 line longer than the line limit/);
    } finally {
      await h.close();
    }
  }, 300_000);

  it('refuses a 1.2 MB tar.gz that expands to 1 GiB before writing anything, and the same gz bomb inside a tar', async () => {
    const r = root();
    const header = (name: string, size: number) => {
      const b = Buffer.alloc(512);
      new tar.Header({ path: name, size, mode: 0o644, type: 'File', mtime: new Date(0) }).encode(b, 0);
      return b;
    };
    const big = path.join(r, 'big.tar.gz');
    writeFileSync(big, zerosGz(1024, header('logs/zero.log', 1024 * MiB), Buffer.alloc(1024)));
    const inner = zerosGz(300);
    const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
    const nested = path.join(r, 'nested.tar');
    writeFileSync(nested, Buffer.concat([header('enrich/logs/app/app.json.log.2.gz', inner.length), inner, pad(inner.length), Buffer.alloc(1024)]));
    const caseDir = path.join(r, 'case');
    const env = { CASEFILE_HOME: path.join(r, 'home') };
    const a = await cli(['import', big, '--case', caseDir], env);
    console.log(`tar bomb (${(statSync(big).size / MiB).toFixed(1)} MB): exit ${a.code}, peak RSS ${a.rssMb.toFixed(0)} MB, ${a.seconds.toFixed(1)} s`);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/big\.tar\.gz expands more than 200:1 .*refused as a decompression bomb/);
    expect(readdirSync(path.join(caseDir, 'bundles'))).toEqual([]); // nothing written, no staging left
    const b = await cli(['import', nested, '--case', caseDir], env);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/app\.json\.log\.2\.gz expands more than 200:1/);
    expect(b.rssMb).toBeLessThan(RSS_LIMIT_MB);
    expect(existsSync(path.join(caseDir, 'case.json'))).toBe(true);
  }, 120_000);
});

describe('free disk', () => {
  it('refuses an intake that would leave less than the reserve free, before copying', async () => {
    const r = root();
    mkdirSync(path.join(r, 'in'));
    writeFileSync(path.join(r, 'in', 'a.log'), 'hello\n');
    const caseDir = path.join(r, 'case');
    const res = await cli(['import', path.join(r, 'in'), '--case', caseDir], { CASEFILE_HOME: path.join(r, 'home'), CASEFILE_RESERVE_BYTES: String(2 ** 60) });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/Not enough free disk for a copy of the evidence/);
    expect(readdirSync(path.join(caseDir, 'bundles'))).toEqual([]);
  }, 60_000);
});
