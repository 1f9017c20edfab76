// Pass 1 of the harvest from the records' own fields: names under their fields are replaced in free text too, and
// the SQL pre-filter that narrows the rows never drops a row the detectors would harvest from.
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { Detectors } from './detect';
import { FieldHarvest } from './harvest';
import { classifyKey, PERSON_KEY_HINT } from './keys';
import { Pseudonymizer } from './pseudonym';
import { Redactor } from './redactor';

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
