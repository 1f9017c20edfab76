// Converts the vendored gitleaks.toml into gitleaks.generated.ts (run: npm run rules:gitleaks).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGitleaksToml } from './parse';

const dir = path.dirname(fileURLToPath(import.meta.url));
const text = fs.readFileSync(path.join(dir, 'gitleaks.toml'), 'utf8');
const config = parseGitleaksToml(text);
const sha256 = crypto.createHash('sha256').update(text).digest('hex');
const body =
  `// Generated from gitleaks.toml by generate.ts (npm run rules:gitleaks); do not edit. MIT, see LICENSE.\n` +
  `import type { GitleaksConfig } from './parse';\n\n` +
  `export const GITLEAKS_SHA256 = '${sha256}';\n` +
  `export const GITLEAKS_VERSION = 'gitleaks v8.27.2 default config';\n\n` +
  `export const GITLEAKS: GitleaksConfig = ${JSON.stringify(config, null, 1)};\n`;
fs.writeFileSync(path.join(dir, 'gitleaks.generated.ts'), body);
console.log(`${config.rules.length} rules, sha256 ${sha256}`);
