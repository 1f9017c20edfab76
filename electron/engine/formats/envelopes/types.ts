// An envelope as data: a per-line wrapper (journald, docker, kubectl, CRI, a pasted ticket's quote marks) that the
// ingest engine strips before normal format detection, keeping the wrapper's fields and stamp. Adding one = one
// definition here, listed in registry.ts; its samples are its tests (envelopes.test.ts imports them end to end).
import type { SampleExpectation } from '../types';
import type { StampShapeId } from '../stamps';

export interface EnvelopeDefinition {
  id: string;
  name: string;
  description: string;
  /**
   * regex: `line` matches one line (JavaScript; groups named in `groups`, one of them `inner`); json: one JSON object
   * per line whose `inner` key holds the text (docker's json-file driver).
   */
  kind: 'regex' | 'json';
  line?: { regex: string; groups: string[] };
  /** json: the key holding the inner text. regex: always the group `inner`. */
  inner?: string;
  /** Groups (regex) or keys (json) kept as event fields, renamed: { group: field }. */
  fields: Record<string, string>;
  /** Group or key holding the envelope's own stamp, and the shapes it may take. */
  time?: { field: string; shapes: StampShapeId[] };
  /** Groups whose values (joined by `/`) name a stream: one file holding several services is read as one stream each. */
  stream?: string[];
  /** A line whose group has this value continues on the next line of its stream (CRI `P`, docker json without `\n`). */
  partial?: { field: string; value: string } | { endsWithNewline: string };
  /** Strip ANSI colour codes before matching (docker compose colours its service names). */
  ansi?: boolean;
  /** Lines matching this are the wrapper's own (a code fence): they hold no inner text but stay in their record. */
  wrapperOnly?: string;
  /** Lower wins a tie between envelopes that match equally well. */
  priority: number;
  samples: EnvelopeSample[];
}

export interface EnvelopeSample {
  title: string;
  /** The wrapped file's text. */
  text: string;
  path?: string;
  timezone?: string;
  /** The operator's --date, for stamps without a year or date. */
  date?: string;
  /** The streams expected, in order of first appearance, with the format detected on each. */
  streams: { name: string; format: string }[];
  /** One expectation per record, in id order (`fields` include the envelope's). */
  records: (SampleExpectation & { tsFlag?: string })[];
}
