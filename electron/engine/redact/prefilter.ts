// The pre-filter: which detectors can find anything in a text at all, decided in one automaton pass (plus one
// regex for the personal-data shapes) instead of running every detector. Each bit stands for a detector and is set
// by a condition every one of its findings needs:
// - gitleaks: one of its keywords occurs (a rule is only tried when one of its keywords does; no rule is keyword-less);
// - structural: a key name one of classifyKey()'s words is in (KEY_ATOMS, the client's extra secret keys), or a
//   word of a credential or URL pattern (`bearer`, `token`, `basic`, `eyj`, `-----begin`, `sentry`, `@` of userinfo),
//   or of a command-line password (`pass` of sshpass/--password/prose, `mysql` of `mysql -p<pw>`);
// - personal data: `@` (e-mail), `/home/` or `/users/`, an internal domain suffix, `::`, or the core of a shape: ten
//   digits led by 6-9 (Indian phone), thirteen digits with single separators (card), `+`, a digit and seven more
//   (international phone), dotted digits (IPv4), four hex groups (IPv6).
// Client rules and the harvest list are not pre-filtered: they are one automaton or one anchored test each and run
// exactly. Detectors.findAll applies it per decoded view; prefilter.test.ts checks that it drops no finding.
import { Automaton } from './automaton';
import { KEY_ATOMS } from './keys';
import { hasFourHexGroups } from './pii';

export const GITLEAKS_BIT = 1;
export const STRUCTURAL_BIT = 2;
export const PII_BIT = 4;
export const SECRET_BITS = GITLEAKS_BIT | STRUCTURAL_BIT;
export const ALL_BITS = SECRET_BITS | PII_BIT;

const STRUCTURAL_WORDS = ['bearer', 'token', 'basic', 'eyj', '-----begin', 'sentry', '@', 'pass', 'mysql'];
const PII_WORDS = ['@', '/home/', '/users/', '::', '.internal', '.local', '.lan', '.corp', '.intra', '.home.arpa'];
/** A part of every match of pii.ts' PHONE_IN, CARD, PHONE_INTL and IPV4; its IPv6 gate is hasFourHexGroups() (`::` is a word above). */
const PII_SHAPES = /[6-9]\d{4}[ -]?\d{5}|\d(?:[ -]?\d){12}|\+[1-9](?:[ -]?\d){7}|\d\.\d{1,3}\.\d{1,3}\.\d/;

export class Prefilter {
  private readonly scan: (text: string, all: number) => number;
  /** A client secret key without a word (normalised to nothing): every text may hold one. */
  private readonly anyKey: boolean;

  /** `gitleaksKeywords`: the rule set's keywords; `secretKeys`: the client's extra secret key names, normalised. */
  constructor(gitleaksKeywords: readonly string[], secretKeys: Iterable<string>) {
    const masks = new Map<string, number>();
    const add = (word: string, bit: number) => masks.set(word.toLowerCase(), (masks.get(word.toLowerCase()) ?? 0) | bit);
    for (const k of gitleaksKeywords) add(k, GITLEAKS_BIT);
    for (const w of [...KEY_ATOMS, ...STRUCTURAL_WORDS]) add(w, STRUCTURAL_BIT);
    let anyKey = false;
    for (const k of secretKeys) {
      // a normalised key's words appear as written in the key (case-folded): its longest word is enough
      const word = k.split('_').reduce((a, b) => (b.length > a.length ? b : a), '');
      if (word) add(word, STRUCTURAL_BIT); else anyKey = true;
    }
    for (const w of PII_WORDS) add(w, PII_BIT);
    this.anyKey = anyKey;
    const words = [...masks.keys()];
    this.scan = new Automaton(words).masker(words.map((w) => masks.get(w)!));
  }

  /** The bits of `wanted` whose detectors may find something in `text` (0: none can). */
  bits(text: string, wanted: number): number {
    let b = this.scan(text, wanted) & wanted;
    if (this.anyKey) b |= STRUCTURAL_BIT & wanted;
    if ((wanted & PII_BIT) && !(b & PII_BIT) && (PII_SHAPES.test(text) || hasFourHexGroups(text))) b |= PII_BIT;
    return b;
  }
}
