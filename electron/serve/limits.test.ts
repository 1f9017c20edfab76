// A call's input is capped at every door (MAX_CALL_INPUT_BYTES); the contract's own limits sit below that cap, so
// an input over a field's limit gets the contract's sentence (naming the field and its limit) through the HTTP
// bridge and the validating IPC door alike, and only an input past the door's cap gets the door's sentence, which
// names the call and the cap. A real Engine behind a real HTTP server; `dispatch` with validation as IPC runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CALL_INPUT_BYTES } from '../../shared/contract';
import { dispatch } from '../door/dispatch';
import { startBridgeLab, type BridgeLab } from '../testkit/bridgeLab';

let lab: BridgeLab;
const post = (name: string, input: unknown) => lab.post(name, input);
beforeAll(async () => { lab = await startBridgeLab(); });
afterAll(async () => lab.close());

const base64 = (chars: number) => 'QUJD'.repeat(Math.ceil(chars / 4)).slice(0, chars);

/** Inputs one past a contract limit that still fit the door, and the sentence each must get. */
const overLimit: Array<[string, unknown, string]> = [
  ['sealed.open', { source: { content: base64(900_004), name: 'big.json.gpg' } },
    "Invalid input to sealed.open: source.content: too large to send in a call: at most 900000 characters of base64 (a file of about 675 KB); give the file's path, or upload it."],
  ['profiles.importSealed', { source: { content: base64(900_004) } },
    "Invalid input to profiles.importSealed: source.content: too large to send in a call: at most 900000 characters of base64 (a file of about 675 KB); give the file's path, or upload it."],
  ['keys.import', { kind: 'client', armored: base64(900_004) },
    'Invalid input to keys.import: armored: too large: at most 900000 characters (a key or a keyring of client keys is far smaller).'],
  ['export.reidentify', { caseId: 'c', text: '<user:AAAAAAAAAA> '.repeat(22_223).slice(0, 400_001) },
    'Invalid input to export.reidentify: text: too long: at most 400000 characters a lookup (paste the part that holds the tokens).'],
  ['export.reidentify', { caseId: 'c', text: '<user:AAAAAAAAAA>', exportId: '../20261128T130501-1a2b3c4d' },
    'Invalid input to export.reidentify: exportId: not an export id (e.g. 20261128T130501-1a2b3c4d).'],
];

describe('a call input over a contract limit gets the contract sentence, at every door', () => {
  it('each such input fits the door: the door does not answer for the contract', () => {
    for (const [name, input] of overLimit) expect(Buffer.byteLength(JSON.stringify(input)), name).toBeLessThan(MAX_CALL_INPUT_BYTES);
  });

  it.each(overLimit)('HTTP bridge: %s', async (name, input, sentence) => {
    const r = await post(name, input);
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({ code: 'invalid_input', message: sentence });
  });

  it.each(overLimit)('IPC door (dispatch, validating): %s', async (name, input, sentence) => {
    expect(await dispatch(lab.engine, name, input, { validate: true })).toEqual({ ok: false, error: { code: 'invalid_input', message: sentence } });
  });

  it('past the door cap, the door names the call and the cap (HTTP and IPC say the same)', async () => {
    const input = { source: { content: base64(MAX_CALL_INPUT_BYTES) } };
    const r = await post('sealed.open', input);
    expect(r.status).toBe(413);
    expect(r.body.error).toEqual({ code: 'invalid_input', message: `Input to sealed.open is too large (over ${MAX_CALL_INPUT_BYTES} bytes; a call takes at most ${MAX_CALL_INPUT_BYTES}).` });
    const size = Buffer.byteLength(JSON.stringify(input));
    expect(await dispatch(lab.engine, 'sealed.open', input, { validate: true })).toEqual({ ok: false, error: { code: 'invalid_input', message: `Input to sealed.open is too large (${size} bytes; a call takes at most ${MAX_CALL_INPUT_BYTES}).` } });
  });
});
