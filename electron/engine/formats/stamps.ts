// The stamps library: every timestamp spelling Casefile reads, as named shapes. A format (or an envelope) names the
// shapes its time text may take in `time.shapes`; the ingest engine turns them into SQL (ingest/stampSql.ts) and this
// module reads them in JavaScript (detection, neighbouring-file dates, envelope heads). The examples are the tests:
// each is read by both sides and must give the same instant.
//
// A stamp that lacks its date (`22:23:10.709`) or its year (`Jul  5 09:13:44`) is completed from context at import:
// the envelope's own stamp on the same line, else the operator's date (`--date`), else the dates of neighbouring
// files in the bundle, else the file's modification time; it rolls over midnight (or New Year) monotonically, and its
// event is flagged `date-inferred` / `year-inferred`.

/** Shape ids a format can name in `time.shapes`. */
export type StampShapeId = 'iso' | 'syslog' | 'apache' | 'clf' | 'django' | 'epoch' | 'time' | 'time-12h';

/** What a shape lacks that context must supply. */
export type StampNeed = 'date' | 'year';

export interface StampExample {
  text: string;
  /** The instant as ISO UTC when read with site zone UTC and context date 2024-01-15 (first record). */
  utc: string;
}

export interface StampShape {
  id: StampShapeId;
  description: string;
  /** Regex for the whole stamp text (JavaScript and RE2: no lookaround, no named groups). */
  regex: string;
  /** Does the stamp carry its own zone (offset, Z, or epoch)? Otherwise the site timezone places it. */
  absolute: 'always' | 'when-offset' | 'never';
  needs?: StampNeed;
  examples: StampExample[];
}

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const DAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const FRACTION = '(?:[.,]\\d{1,9})?';

export const STAMP_SHAPES: readonly StampShape[] = [
  {
    id: 'iso',
    description: 'ISO 8601 and its log spellings: T or space, `,` or `.` fraction of 0–9 digits, Z, +0530, +05:30, -0500 or none',
    regex: `\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}${FRACTION}(?: ?(?:Z|[+-]\\d{2}:?\\d{2}))?`,
    absolute: 'when-offset',
    examples: [
      { text: '2024-05-01T10:00:00.123Z', utc: '2024-05-01T10:00:00.123Z' },
      { text: '2024-05-01 10:00:00,250', utc: '2024-05-01T10:00:00.250Z' },
      { text: '2024-05-01 10:00:00.123456789+05:30', utc: '2024-05-01T04:30:00.123Z' },
      { text: '2024-05-01 10:00:00 +0530', utc: '2024-05-01T04:30:00.000Z' },
      { text: '2024-05-01T10:00:00-0500', utc: '2024-05-01T15:00:00.000Z' },
      { text: '2024-05-01 10:00:00', utc: '2024-05-01T10:00:00.000Z' },
    ],
  },
  {
    id: 'syslog',
    description: 'syslog / journald short: `Jul  5 09:13:44` (optional fraction), no year',
    regex: `(?:${MONTHS}) [ \\d]\\d \\d{2}:\\d{2}:\\d{2}${FRACTION}`,
    absolute: 'never',
    needs: 'year',
    examples: [
      { text: 'Jul  5 09:13:44', utc: '2024-07-05T09:13:44.000Z' },
      { text: 'Jan 15 23:59:59.250', utc: '2024-01-15T23:59:59.250Z' },
    ],
  },
  {
    id: 'apache',
    description: 'Apache / mod_wsgi error log: `Tue Sep 03 09:53:18.703332 2024`',
    regex: `(?:${DAYS}) (?:${MONTHS}) [ \\d]\\d \\d{2}:\\d{2}:\\d{2}${FRACTION} \\d{4}`,
    absolute: 'never',
    examples: [
      { text: 'Tue Sep 03 09:53:18.703332 2024', utc: '2024-09-03T09:53:18.703Z' },
      { text: 'Wed Oct 11 14:32:52 2000', utc: '2000-10-11T14:32:52.000Z' },
    ],
  },
  {
    id: 'clf',
    description: 'Common / combined access log: `14/Feb/2014:06:13:34 +0000`',
    regex: `\\d{2}/(?:${MONTHS})/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}`,
    absolute: 'always',
    examples: [
      { text: '14/Feb/2014:06:13:34 +0000', utc: '2014-02-14T06:13:34.000Z' },
      { text: '10/Oct/2000:13:55:36 -0700', utc: '2000-10-10T20:55:36.000Z' },
    ],
  },
  {
    id: 'django',
    description: 'Django runserver: `14/Feb/2014 06:13:34`',
    regex: `\\d{2}/(?:${MONTHS})/\\d{4} \\d{2}:\\d{2}:\\d{2}`,
    absolute: 'never',
    examples: [{ text: '14/Feb/2014 06:13:34', utc: '2014-02-14T06:13:34.000Z' }],
  },
  {
    id: 'epoch',
    description: 'Seconds (10 digits, optional fraction), milliseconds (13), microseconds (16) or nanoseconds (19) since 1970',
    regex: '\\d{10}(?:\\.\\d{1,9})?|\\d{13}|\\d{16}|\\d{19}',
    absolute: 'always',
    examples: [
      { text: '1714557600', utc: '2024-05-01T10:00:00.000Z' },
      { text: '1714557600.5', utc: '2024-05-01T10:00:00.500Z' },
      { text: '1714557600123', utc: '2024-05-01T10:00:00.123Z' },
      { text: '1714557600123456', utc: '2024-05-01T10:00:00.123Z' },
      { text: '1714557600123456789', utc: '2024-05-01T10:00:00.123Z' },
    ],
  },
  {
    id: 'time',
    description: 'Time of day only: `22:23:10.709` (optional fraction); the date comes from context',
    regex: `\\d{2}:\\d{2}:\\d{2}${FRACTION}`,
    absolute: 'never',
    needs: 'date',
    examples: [
      { text: '22:23:10.709', utc: '2024-01-15T22:23:10.709Z' },
      { text: '08:00:01', utc: '2024-01-15T08:00:01.000Z' },
    ],
  },
  {
    id: 'time-12h',
    description: 'Time of day, 12-hour clock: `11:16:30 AM`, `1:02:03.5 pm`; the date comes from context',
    regex: `\\d{1,2}:\\d{2}:\\d{2}${FRACTION} ?(?:AM|PM|am|pm)`,
    absolute: 'never',
    needs: 'date',
    examples: [
      { text: '11:16:30 AM', utc: '2024-01-15T11:16:30.000Z' },
      { text: '12:05:00 AM', utc: '2024-01-15T00:05:00.000Z' },
      { text: '1:02:03.5 pm', utc: '2024-01-15T13:02:03.500Z' },
    ],
  },
];

export function stampShape(id: StampShapeId): StampShape {
  const s = STAMP_SHAPES.find((x) => x.id === id);
  if (!s) throw new Error(`unknown stamp shape ${id}`);
  return s;
}

/** One regex alternative matching any of `ids` (in that order: put longer shapes first), for a format's pattern. */
export function stampAlternation(ids: readonly StampShapeId[]): string {
  return `(?:${ids.map((id) => stampShape(id).regex).join('|')})`;
}

/** A stamp read in JavaScript. */
export interface ReadStamp {
  shape: StampShapeId;
  /** The UTC instant in ms, when the stamp carries its zone. */
  utcMs?: number;
  /** The wall-clock reading as if it were UTC, in ms (no zone): for `year` needs in year 2000, for `date` needs on 2000-01-01. */
  localMs?: number;
  /** Minutes east of UTC written in the stamp. */
  offset?: number;
  needs?: StampNeed;
}

const wholeRegex = new Map<StampShapeId, RegExp>();
function whole(s: StampShape): RegExp {
  let r = wholeRegex.get(s.id);
  if (!r) { r = new RegExp(`^(?:${s.regex})$`); wholeRegex.set(s.id, r); }
  return r;
}

const monthIndex = (m: string) => MONTHS.split('|').indexOf(m);
/** Milliseconds of a fraction written with any number of digits (`.7` is 700 ms). */
const fractionMs = (f: string | undefined) => (f ? Number(`0.${f.slice(1)}`) * 1000 : 0);
const offsetMinutes = (sign: string, hh: string, mm: string) => (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm));

type Reader = (t: string) => Omit<ReadStamp, 'shape'> | null;

const READERS: Record<StampShapeId, Reader> = {
  iso: (t) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})([.,]\d+)? ?(?:(Z)|([+-])(\d{2}):?(\d{2}))?$/.exec(t);
    if (!m) return null;
    const local = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) + fractionMs(m[7]);
    if (m[8]) return { localMs: local, utcMs: local, offset: 0 };
    if (m[9]) { const off = offsetMinutes(m[9], m[10]!, m[11]!); return { localMs: local, utcMs: local - off * 60000, offset: off }; }
    return { localMs: local };
  },
  syslog: (t) => {
    const m = /^(\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})([.,]\d+)?$/.exec(t);
    if (!m || monthIndex(m[1]!) < 0) return null;
    return { localMs: Date.UTC(2000, monthIndex(m[1]!), +m[2]!, +m[3]!, +m[4]!, +m[5]!) + fractionMs(m[6]), needs: 'year' };
  },
  apache: (t) => {
    const m = /^\w{3} (\w{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})([.,]\d+)? (\d{4})$/.exec(t);
    if (!m || monthIndex(m[1]!) < 0) return null;
    return { localMs: Date.UTC(+m[7]!, monthIndex(m[1]!), +m[2]!, +m[3]!, +m[4]!, +m[5]!) + fractionMs(m[6]) };
  },
  clf: (t) => {
    const m = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(t);
    if (!m || monthIndex(m[2]!) < 0) return null;
    const local = Date.UTC(+m[3]!, monthIndex(m[2]!), +m[1]!, +m[4]!, +m[5]!, +m[6]!);
    const off = offsetMinutes(m[7]!, m[8]!, m[9]!);
    return { localMs: local, utcMs: local - off * 60000, offset: off };
  },
  django: (t) => {
    const m = /^(\d{2})\/(\w{3})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(t);
    if (!m || monthIndex(m[2]!) < 0) return null;
    return { localMs: Date.UTC(+m[3]!, monthIndex(m[2]!), +m[1]!, +m[4]!, +m[5]!, +m[6]!) };
  },
  epoch: (t) => {
    const int = t.split('.')[0]!;
    const ms = int.length <= 10 ? Number(t) * 1000 : Number(int.slice(0, 13)) + Number(`0.${int.slice(13) || '0'}`);
    return Number.isFinite(ms) ? { utcMs: Math.floor(ms), offset: 0 } : null;
  },
  time: (t) => {
    const m = /^(\d{2}):(\d{2}):(\d{2})([.,]\d+)?$/.exec(t);
    if (!m || +m[1]! > 23) return null;
    return { localMs: Date.UTC(2000, 0, 1, +m[1]!, +m[2]!, +m[3]!) + fractionMs(m[4]), needs: 'date' };
  },
  'time-12h': (t) => {
    const m = /^(\d{1,2}):(\d{2}):(\d{2})([.,]\d+)? ?(AM|PM|am|pm)$/.exec(t);
    if (!m || +m[1]! > 12 || +m[1]! === 0) return null;
    const h = (+m[1]! % 12) + (m[5]!.toUpperCase() === 'PM' ? 12 : 0);
    return { localMs: Date.UTC(2000, 0, 1, h, +m[2]!, +m[3]!) + fractionMs(m[4]), needs: 'date' };
  },
};

/** Reads `text` as the first of `shapes` it matches whole (all shapes when none are given), or null. */
export function readStamp(text: string, shapes: readonly StampShapeId[] = STAMP_SHAPES.map((s) => s.id)): ReadStamp | null {
  const t = text.trim();
  for (const id of shapes) {
    const shape = stampShape(id);
    if (!whole(shape).test(t)) continue;
    const r = READERS[id](t);
    if (r) return { shape: id, ...r };
  }
  return null;
}

/** Where a stamp of any shape starts a line (optionally after `[`): the shape and the stamp text, for detection. */
export function leadingStamp(line: string): { shape: StampShapeId; text: string } | null {
  const body = line.startsWith('[') ? line.slice(1) : line;
  for (const s of STAMP_SHAPES) {
    if (s.id === 'epoch') continue; // a leading number is too weak to call a stamp
    const m = leadingRegex(s).exec(body);
    if (m) return { shape: s.id, text: m[0] };
  }
  return null;
}

const leading = new Map<StampShapeId, RegExp>();
function leadingRegex(s: StampShape): RegExp {
  let r = leading.get(s.id);
  if (!r) { r = new RegExp(`^(?:${s.regex})(?=$|[\\]\\s|,;:-])`); leading.set(s.id, r); }
  return r;
}
