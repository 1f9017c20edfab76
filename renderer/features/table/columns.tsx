// Column definitions for the events table: the row's own columns plus any field chosen by the operator.
import { createColumnHelper, type ColumnDef } from '@tanstack/react-table';
import type { EventRow } from '../../../shared/domain';
import { printable } from '../../../shared/printable';
import { levelColor } from '../../lib/levels';
import type { TimeFormat } from '../../lib/siteTime';
import { Masked } from '../secrets/Masked';

const col = createColumnHelper<EventRow>();

export const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

export const COLUMN_LABELS: Record<string, string> = {
  time: 'Time', level: 'Level', source: 'Source', file: 'File:line', logger: 'Logger', message: 'Message',
};

export function columnWidth(id: string, both = false): string {
  switch (id) {
    case 'time': return both ? '330px' : '218px';
    case 'level': return '84px';
    case 'source': return '120px';
    case 'file': return '210px';
    case 'logger': return '170px';
    case 'message': return 'minmax(240px, 1fr)';
    default: return '150px';
  }
}

export function buildColumns(ids: string[], time: TimeFormat): ColumnDef<EventRow, string>[] {
  return ids.map((id): ColumnDef<EventRow, string> => {
    switch (id) {
      // The accessor keeps the instant (the table caches accessor values per row); the cell formats it per mode.
      case 'time': return col.accessor((r) => r.ts ?? r.tsText ?? '', {
        id, header: `Time (${time.label})`, cell: (c) => (c.row.original.ts ? time.fmt(c.row.original.ts) : c.getValue()),
      });
      case 'level': return col.accessor((r) => r.level ?? '', {
        id, header: COLUMN_LABELS.level,
        cell: (c) => <span className="level" style={{ color: levelColor(c.getValue()) }}>{c.getValue() || '—'}</span>,
      });
      case 'source': return col.accessor((r) => r.source, { id, header: COLUMN_LABELS.source });
      case 'file': return col.accessor((r) => `${printable(basename(r.file))}:${r.line}`, { id, header: COLUMN_LABELS.file });
      case 'logger': return col.accessor((r) => r.logger ?? '', { id, header: COLUMN_LABELS.logger });
      case 'message': return col.accessor((r) => r.message ?? '', {
        id, header: COLUMN_LABELS.message,
        cell: (c) => (
          <span className={c.row.original.parseStatus !== 'ok' ? 'unparsed' : undefined}>
            <Masked id={c.row.original.id} field="message" masked={c.row.original.masked} text={c.getValue()} />
          </span>
        ),
      });
      default: return col.accessor((r) => r.extra?.[id] ?? '', {
        id, header: id, cell: (c) => <Masked id={c.row.original.id} field={`extra:${id}`} masked={c.row.original.masked} text={c.getValue()} />,
      });
    }
  });
}
