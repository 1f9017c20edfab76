// Spreadsheet formula injection in CSV (OWASP "CSV Injection"): Excel and LibreOffice run a cell that begins with
// = + - @, a tab or a carriage return as a formula (=HYPERLINK(...), =cmd|'/c calc'!A0), quoted or not. A log line
// is attacker-controlled text, so every CSV Casefile writes for a person prefixes such a text cell with a ' (shown as
// text). The prefix is reversible: a cell that already begins with 's before a trigger gets one more, and
// csvFormulaRestore takes exactly one off, so the export's read-back sees the cells the redaction wrote.

const NEEDS_GUARD = /^'*[=+\-@\t\r]/;
const GUARDED = /^'+[=+\-@\t\r]/;

/** What an export's report says about it (the client reads why a cell starts with '). */
export const CSV_FORMULA_NOTE = "a text cell that begins with =, +, -, @, a tab or a carriage return is written with a ' before it, so a spreadsheet shows it as text instead of running it as a formula";

/** A text cell safe to open in a spreadsheet: prefixed with ' when it would start a formula. */
export const csvFormulaSafe = (s: string): string => (NEEDS_GUARD.test(s) ? `'${s}` : s);

/** The cell csvFormulaSafe was given, from what it returned. */
export const csvFormulaRestore = (s: string): string => (GUARDED.test(s) ? s.slice(1) : s);
