// A damaged key index (keys/index.json cut short by a full disk, or garbled) with real gpg-made keys. Before, a
// truncated index threw JSON's own words ("Unexpected end of JSON input", no file named), and the export read any
// failure to load the operator's keys as "no key of yours": it exported without keeping the re-identification map.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseInfo } from '../../../shared/domain';
import { GpgLab, gpgAvailable } from '../../testkit/gpg';
import { removeDir, tempDir } from '../../testkit/tmp';
import { oneRecordCase } from '../../testkit/engineCase';
import { Engine } from '../engine';

const root = tempDir('casefile-damaged-index-');
const indexFile = path.join(root, 'home', 'keys', 'index.json');
let engine: Engine;
let info: CaseInfo;
let lab: GpgLab;
let whole: string;

beforeAll(async () => {
  ({ engine, info } = await oneRecordCase(root, 'damaged index'));
  if (!gpgAvailable()) return;
  lab = GpgLab.create();
  const me = await lab.genKey('Operator <op@casefile.example>', 'p');
  const client = await lab.genKey('Client <sec@client.example>', 'c');
  await engine.call('keys.import', { kind: 'secret', armored: me.secretArmored });
  await engine.call('keys.import', { kind: 'client', armored: client.publicArmored });
  whole = fs.readFileSync(indexFile, 'utf8');
}, 120_000);

afterAll(async () => {
  lab?.close();
  await engine?.close();
  removeDir(root);
});

const exportsLeft = () => fs.readdirSync(path.join(root, 'case', 'exports')).filter((n) => !n.startsWith('.staging-'));
const DAMAGED = new RegExp(`^The key index ${indexFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(.+\\): move it aside and import your keys again`);

describe.runIf(gpgAvailable())('a damaged key index', () => {
  const damage: Array<[string, () => string]> = [
    ['cut short', () => whole.slice(0, Math.floor(whole.length / 2))],
    ['emptied', () => ''],
    ['garbled', () => whole.replace(/"secret"/, '"sekret"')],
    ['not JSON at all', () => '\u0000\u0000\u0000\u0000'],
  ];
  for (const [how, make] of damage) {
    it(`${how}: said as damaged, naming the file and what to do; never read as "no key"; the export refuses and the index is left as it was`, async () => {
      const bad = make();
      fs.writeFileSync(indexFile, bad);
      try {
        await expect(engine.call('keys.list', {})).rejects.toThrow(DAMAGED);
        // the export needs the operator's key for the re-identification map: it refuses, writing nothing
        const before = exportsLeft();
        await expect(engine.call('export.run', { caseId: info.id, selection: {}, format: 'jsonl', plaintext: true }))
          .rejects.toThrow(/your keys cannot be read: The key index .* is damaged .*Nothing was exported/);
        expect(exportsLeft()).toEqual(before);
        // importing a key does not write a fresh index over the damaged one (the listing of the other keys)
        const other = await lab.genKey('Another Client <another@client.example>', 'c');
        await expect(engine.call('keys.import', { kind: 'client', armored: other.publicArmored })).rejects.toThrow(DAMAGED);
        expect(fs.readFileSync(indexFile, 'utf8')).toBe(bad);
      } finally {
        fs.writeFileSync(indexFile, whole);
      }
    }, 60_000);
  }

  it('whole again, the export keeps its map, encrypted to the operator', async () => {
    const r = await engine.call('export.run', { caseId: info.id, selection: {}, format: 'jsonl', plaintext: true });
    expect(r.mapKept).toBe(true);
  }, 60_000);
});
