// Beside an open record the events card is narrow (476 px at 1280 × 800, for 872 px of columns): the message is
// what the operator reads there, so the table leaves out secondary columns until Message has room, and takes
// them back when the record closes. The operator's column choice (the filter store) is never changed.
import { BASE_COLUMNS } from '../../stores/filter';

/** The least room Message is given beside an open record. */
export const MESSAGE_MIN_PX = 200;

/** Left out first to last: the row's own secondary columns (the record's panel shows each of them), then the fields
 *  the operator added, the earliest first (one just added from the record is what they are looking at). Time and
 *  Message always stay. */
function dropOrder(columns: string[]): string[] {
  const extras = columns.filter((c) => !(BASE_COLUMNS as readonly string[]).includes(c));
  return ['file', 'logger', 'source', 'level', ...extras].filter((c) => columns.includes(c));
}

/** The columns drawn in `room` px when a record is open: all of them when they fit with Message at its least. */
export function fitBesideRecord(columns: string[], widthOf: (id: string) => number, room: number): string[] {
  if (!columns.includes('message') || room <= 0) return columns;
  const need = (cs: string[]) => cs.reduce((a, c) => a + (c === 'message' ? MESSAGE_MIN_PX : widthOf(c)), 0);
  let shown = columns;
  for (const id of dropOrder(columns)) {
    if (need(shown) <= room) break;
    shown = shown.filter((c) => c !== id);
  }
  return shown;
}
