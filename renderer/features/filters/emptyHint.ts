// What to tell the operator when nothing matches: name the narrowest filter to remove first.
import type { EventFilter } from '../../../shared/domain';

export function emptyHint(f: EventFilter): string {
  if (f.text) return `clear the text search “${f.text}”${f.regex ? ' (regex)' : ''}`;
  if (f.fields?.length) return 'remove a field filter chip';
  if (f.levels?.length) return 'clear the level filter';
  if (f.sources?.length) return 'clear the source filter';
  if (f.from || f.to) return 'press Reset on the timeline to widen the time range';
  return 'this case has no events yet; import a bundle from the Cases view';
}
