// The case database schema. `events` is the documented, stable view users query (docs/EVENTS.md);
// the tables behind it may change between versions, the view may only grow.
export const SCHEMA_VERSION = 1;

/**
 * A parsed JSON record's fields are its own raw text, so they are stored once: event_store.fields is NULL then.
 * Use this expression (or the events view) wherever fields are read from event_store directly.
 */
export const fieldsSql = (alias: string) => `coalesce(${alias}.fields, ${alias}.raw)`;

/**
 * A record's message and stamp text are most often verbatim in its raw text (a text log's message is the end of its
 * line, a JSON record's the value of its `message` key): the transform then stores NULL and where the text is in raw
 * (msg_at/ts_at, 1-based characters, and its length); otherwise the text itself (an escaped JSON value; every row of
 * a case made before, whose offsets are NULL). Use these (or the events view) wherever message or ts_text is read
 * from event_store directly.
 */
export const messageSql = (alias: string) => `coalesce(${alias}.message, substr(${alias}.raw, ${alias}.msg_at, ${alias}.msg_len))`;
export const tsTextSql = (alias: string) => `coalesce(${alias}.ts_text, substr(${alias}.raw, ${alias}.ts_at, ${alias}.ts_len))`;

/** event_store's columns that hold a record, as every case has them (the text offsets follow them). */
export const EVENT_COLUMNS = ['id', 'file_id', 'source', 'line', 'line_count', 'ts', 'ts_text', 'ts_flag', 'level', 'logger',
  'message', 'fields', 'raw', 'parse_status'] as const;

/**
 * Columns added to a table after cases were made with it (each one's reason is at its ALTER in DDL). A writer's open
 * adds them; a read-only instance cannot, so its connections see such a case's table through a view that adds them
 * as NULL (store/legacyColumns.ts), which is what a writer's open would give those rows.
 */
export const ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  { table: 'files', column: 'audited', type: 'BOOLEAN' },
  ...['msg_at', 'msg_len', 'ts_at', 'ts_len'].map((column) => ({ table: 'event_store', column, type: 'INTEGER' })),
];

function addColumnSql(table: string, column: string): string {
  const c = ADDED_COLUMNS.find((a) => a.table === table && a.column === column)!;
  return `ALTER TABLE ${c.table} ADD COLUMN IF NOT EXISTS ${c.column} ${c.type}`;
}

export const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS bundles (
     id VARCHAR PRIMARY KEY, label VARCHAR, origin VARCHAR, files INTEGER, bytes BIGINT, imported_at TIMESTAMPTZ)`,
  // One row per imported file, written in the same transaction as its events: a row here means the file is complete.
  `CREATE TABLE IF NOT EXISTS files (
     file_id INTEGER PRIMARY KEY, bundle VARCHAR, path VARCHAR, sha256 VARCHAR, size BIGINT,
     format VARCHAR, reason VARCHAR, tz_zone VARCHAR, tz_rule VARCHAR,
     lines BIGINT, records BIGINT, ok BIGINT, malformed BIGINT, unparsed BIGINT, untimed BIGINT,
     min_ts TIMESTAMPTZ, max_ts TIMESTAMPTZ, first_id BIGINT, last_id BIGINT,
     rows_digest VARCHAR, note VARCHAR, imported_at TIMESTAMPTZ, audited BOOLEAN)`,
  // Commit-then-audit: a files row is written with audited = false (and no rows_digest) in its batch's transaction and
  // set true once its digest and audit entry are written (ingest/custodyStage.ts).
  // Cases made before have no such column: their rows (NULL) were audited in the old way.
  addColumnSql('files', 'audited'),
  `CREATE TABLE IF NOT EXISTS event_store (
     id BIGINT, file_id INTEGER, source VARCHAR, line BIGINT, line_count INTEGER,
     ts TIMESTAMPTZ, ts_text VARCHAR, ts_flag VARCHAR,
     level VARCHAR, logger VARCHAR, message VARCHAR, fields JSON, raw VARCHAR, parse_status VARCHAR)`,
  // Where message and ts_text are in raw when they are stored NULL (messageSql, tsTextSql). Cases made before have
  // no such columns: their rows (NULL) keep the text itself.
  ...['msg_at', 'msg_len', 'ts_at', 'ts_len'].map((c) => addColumnSql('event_store', c)),
  // Identifiers extracted at ingest (issue 4): one row per (event, identifier) with where it was found.
  `CREATE TABLE IF NOT EXISTS identifiers (event_id BIGINT, kind VARCHAR, value VARCHAR, found_in VARCHAR)`,
  // Files whose events are in but whose identifiers and status are not yet (the correlation stage runs after the
  // events commit: ingest/correlationStage.ts). Written in the events' transaction, emptied in the extraction's.
  `CREATE TABLE IF NOT EXISTS extract_pending (file_id INTEGER)`,
  // Files whose events are in but whose rows digest is not yet (custody runs after the events commit:
  // ingest/custodyStage.ts). Written in the events' transaction, emptied in the digests'.
  `CREATE TABLE IF NOT EXISTS digest_pending (file_id INTEGER)`,
  // The audit log's head as last mirrored by the case's writer (audit/headMirror.ts): one row, id = 1.
  `CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY, seq BIGINT, hash VARCHAR, mirrored_at TIMESTAMPTZ)`,
  `CREATE OR REPLACE VIEW events AS
     SELECT s.id, s.ts, ${tsTextSql('s')} AS ts_text, s.source, f.path AS file, s.line, s.line_count, s.level, s.logger,
            ${messageSql('s')} AS message,
            ${fieldsSql('s')}::JSON AS fields, s.raw, s.parse_status, f.bundle, s.file_id, s.ts_flag, f.tz_rule
     FROM event_store s JOIN files f USING (file_id)`,
];
