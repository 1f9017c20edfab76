// The envelope side of staging: per enveloped record its stream, the wrapper's fields and stamp (as a UTC instant,
// read here with the stamps library) and its original lines, in the temp table stage_env the transform joins.
import type { DuckDBAppender } from '@duckdb/node-api';
import type { CaseDb } from '../store/db';
import { discardAppender } from '../store/appender';
import type { EnvelopeDefinition } from '../formats/envelopes/types';
import { stampShape } from '../formats/stamps';
import type { StampContext } from './stampContext';
import { envelopeInstant, type EnvelopeRecord, type EnvelopeYear } from './envelope';

export class EnvelopeStage {
  private constructor(private app: DuckDBAppender) {}

  static async open(db: CaseDb): Promise<EnvelopeStage> {
    await db.freshTemp('stage_env', `file_id INTEGER, line INTEGER, stream VARCHAR, env_iso VARCHAR,
      env_ts_text VARCHAR, env_flag VARCHAR, env_fields VARCHAR, orig VARCHAR`);
    return new EnvelopeStage(await db.conn.createAppender('stage_env', 'main', 'temp'));
  }

  /** One enveloped record of file `fileId`; `year` is the file's context for stamps without a year (mutated). */
  add(fileId: number, line: number, env: EnvelopeRecord, def: EnvelopeDefinition, zone: string, year: EnvelopeYear): void {
    const at = env.tsText ? envelopeInstant(env.tsText, def, zone, year) : null;
    this.app.appendInteger(fileId);
    this.app.appendInteger(line);
    this.app.appendVarchar(env.stream);
    if (at) this.app.appendVarchar(at.iso); else this.app.appendNull();
    if (env.tsText) this.app.appendVarchar(env.tsText); else this.app.appendNull();
    if (at?.flag) this.app.appendVarchar(at.flag); else this.app.appendNull();
    this.app.appendVarchar(JSON.stringify(env.fields));
    this.app.appendVarchar(env.orig);
    this.app.endRow();
  }

  close(): void {
    this.app.flushSync();
    this.app.closeSync();
  }

  /** After a failure: nothing staged here may land later (store/appender.ts). */
  discard(): void {
    discardAppender(this.app);
  }
}

/** Does the envelope's stamp lack a year (journald short), so the file needs a context? */
export function envelopeNeedsContext(def: EnvelopeDefinition | undefined): boolean {
  return Boolean(def?.time?.shapes.some((id) => stampShape(id).needs));
}

/** The year context of an envelope stamp from the file's stamp context. */
export function envelopeYear(context: StampContext | undefined): EnvelopeYear {
  if (context?.date) return { year: Number(context.date.slice(0, 4)) };
  if (context?.mtime) return { notAfterMs: Date.parse(context.mtime) };
  return {};
}
