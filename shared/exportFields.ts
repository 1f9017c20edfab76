// An extract writes `fields` once: where a record's fields are exactly its raw text (a JSON record's are), `fields`
// is left empty and `raw` carries them (electron/engine/export/select.ts). Said wherever a client or the operator
// meets the extract's columns: the report's settings, the export dialog's preview, the CLI's export summary.

/** What an export's report says about `fields` (the client reads why the column is empty on JSON records). */
export const FIELDS_NOTE = 'fields is empty (JSON null, an empty CSV cell, Parquet NULL) where it would repeat raw exactly: a JSON record\'s fields are its raw text, so raw holds them; elsewhere fields holds the record\'s parsed fields as JSON';
