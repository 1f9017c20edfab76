// Pass 1 of the harvest from the records' own fields: names under their fields are replaced in free text too, and
// the SQL pre-filter that narrows the rows never drops a row the detectors would harvest from.
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { Detectors } from './detect';
import { FieldHarvest } from './harvest';
import { classifyKey, PERSON_FIELD_SNIPPET, PERSON_KEY_HINT } from './keys';
import { Pseudonymizer } from './pseudonym';
import { Redactor } from './redactor';
import { type RescanHit, Rescanner } from './rescan';

describe('field harvest', () => {
  it('takes names and users under their fields (any shape, any view) and replaces them in free text', () => {
    const h = new FieldHarvest();
    h.add(`UPDATE settings SET beneficiary_name = 'Tomás Garcia' WHERE id = 4`);
    h.add(JSON.stringify({ msg: 'ok', data: JSON.stringify({ createdBy: 'wei_zhang' }) }));
    h.add(`GET /report?owner%3Dpriya.n&x=1`);
    h.add(`count=3 name=app level=INFO`); // `name` alone names no person
    expect(h.values().sort((a, b) => a.value.localeCompare(b.value))).toEqual([
      { type: 'user', value: 'priya.n' }, { type: 'name', value: 'Tomás Garcia' }, { type: 'user', value: 'wei_zhang' },
    ]);
    const r = new Redactor(new Detectors({ harvest: h.values() }), new Pseudonymizer(Buffer.alloc(32, 2)));
    const out = r.redact(`'argsrepr': "({'query': 'refund approved by Tomás Garcia after review', 'note': 'wei_zhang asked'},)"`).text;
    expect(out).toMatch(/refund approved by <name:[A-Z2-7]{10}> after review', 'note': '<user:[A-Z2-7]{10}> asked'/);
  });

  it('the snippets DuckDB extracts (RE2) give the same values as the whole records', () => {
    const records = [
      `UPDATE settings SET beneficiary_name = 'Tomás Garcia' WHERE id = 4`,
      JSON.stringify({ msg: 'ok', data: JSON.stringify({ createdBy: 'wei_zhang', sender_name: 'Jos\u00e9 Ruiz' }) }),
      `{'argsrepr': "({'user': b'kiran', 'owner': 'anil k'},)"} GET /r?owner%3Dpriya.n&x=1 user=ravi limit=10`,
    ];
    const whole = new FieldHarvest();
    const cut = new FieldHarvest();
    const re = RE2JS.compile(PERSON_FIELD_SNIPPET);
    for (const r of records) {
      whole.add(r);
      const m = re.matcher(r);
      while (m.find()) cut.add(m.group()!);
    }
    const sorted = (h: FieldHarvest) => h.values().map((v) => `${v.type}:${v.value}`).sort();
    expect(sorted(whole)).toHaveLength(7);
    expect(sorted(cut)).toEqual(sorted(whole));
  });

  it('the SQL pre-filter (RE2) matches every key the detectors class as a name or user, in every spelling', () => {
    const keys = ['sender_name', 'senderName', 'SENDER-NAME', 'beneficiary_name', 'cardHolder_name', 'card_holder_name', 'user', 'User',
      'userName', 'user.name', 'username', 'login', 'owner', 'createdBy', 'created_by', 'modified-by', 'requestedBy'];
    const hint = RE2JS.compile(PERSON_KEY_HINT);
    for (const k of keys) {
      expect(classifyKey(k)?.type, k).toMatch(/^(?:name|user)$/);
      for (const t of [`{"${k}": "x"}`, `{\\"${k}\\": \\"x\\"}`, `'${k}': 'x'`, `${k}=x`, `${k} : x`, `?${k}%3Dx`, `?${k}%3dx`]) {
        expect(hint.matcher(t).find(), t).toBe(true);
      }
    }
    for (const t of ['{"name": "app"}', 'funcName=x', 'pathname: /a']) expect(hint.matcher(t).find(), t).toBe(false);
  });
});

// A letter↔digit change bounds a harvested name too (`.virtualenvs/scribble3.8/` kept `scribble` 76 times in a
// 27-event extract), but only a name of ≥ 4 characters with a letter outside a–f: a short or hex-like one would be
// found inside hashes, UUIDs and git SHAs. The re-scan's originals search reads the same boundary.
describe('harvested names before and after a digit', () => {
  const harvest = [{ type: 'user', value: 'scribble' }, { type: 'user', value: 'anil' }, { type: 'user', value: 'cafe' },
    { type: 'user', value: 'faced' }, { type: 'user', value: 'ann' }];
  const redactor = () => new Redactor(new Detectors({ harvest }), new Pseudonymizer(Buffer.alloc(32, 2)));
  const tokenOf = (out: string, at: RegExp) => out.match(at)?.[1];

  it('replaces a name a digit follows or precedes, with the token it has elsewhere', () => {
    const out = redactor().redact('/app/scribble/enrich/.virtualenvs/scribble3.8/lib/python3.8 run by anil2 (2anil, anil)').text;
    expect(out).toMatch(/^\/app\/<user:([A-Z2-7]{10})>\/enrich\/\.virtualenvs\/<user:([A-Z2-7]{10})>3\.8\/lib\/python3\.8 run by <user:[A-Z2-7]{10}>2 \(2<user:[A-Z2-7]{10}>, <user:[A-Z2-7]{10}>\)$/);
    const scribble = [...out.matchAll(/<user:([A-Z2-7]{10})>/g)].map((m) => m[1]);
    expect(scribble[0]).toBe(scribble[1]);
    expect(new Set(scribble.slice(2)).size).toBe(1); // anil2, 2anil, anil: one user, one token
    expect(scribble[2]).not.toBe(scribble[0]);
    expect(tokenOf(out, /<user:([A-Z2-7]{10})>3\.8/)).toBe(scribble[0]);
  });

  it('hard negatives: a short or hex-like name inside hashes, UUIDs and git SHAs, and a name inside a word, stay', () => {
    const texts = [
      'sha256 9f3cafe0d41e8b27c4a1c2f09d8e7b6a5f4e3d2c1b0a99887766554433221100', // cafe after a digit, before one
      'uuid 1b4e28ba-2fa1-11d2-883f-0016faced70c', // faced (hex-like) between digits
      'commit 3faced7be2c9a1e0d4b5c6a7f8e9d0c1b2a3f4e9', // a git SHA holding faced
      'ann2 and 7ann', // ann: 3 characters
      'vanilla anilx xanil', // anil inside a word (no digit): as before
    ];
    const r = redactor();
    for (const t of texts) expect(r.redact(t).text, t).toBe(t);
  });

  it('the re-scan finds a surviving name exactly where the harvest would have replaced it', () => {
    const detectors = new Detectors({ harvest });
    const originals = new Map<string, 'secret' | 'pii'>([['scribble', 'pii'], ['cafe', 'pii'], ['ann', 'pii'], ['acme', 'pii']]);
    const scanner = new Rescanner(detectors, Rescanner.tables(originals, detectors.harvest));
    const hitsIn = (text: string) => { const hits: RescanHit[] = []; scanner.scan(text, 'x', hits, false); return hits.length; };
    expect(hitsIn('.virtualenvs/scribble3.8/')).toBe(1);
    expect(hitsIn('.virtualenvs/%2Fscribble3.8')).toBe(0); // %2F: the F is a letter, no boundary in the raw text
    expect(hitsIn('9f3cafe0d41e')).toBe(0); // hex-like: only on token boundaries
    expect(hitsIn('ann2')).toBe(0); // short
    expect(hitsIn('acme2')).toBe(0); // replaced, but not a harvested name: a client word keeps whole-word bounds
    expect(hitsIn('ran as scribble')).toBe(1);
  });
});
