// Saved views: a named filter and column set, kept in the case.
import { z } from 'zod';
import { EventFilter } from '../domain';
import { CaseRef } from './common';
import { defineArea, defineCall } from './define';

export const SavedView = z.object({
  name: z.string().min(1).max(200),
  filter: EventFilter,
  columns: z.array(z.string().max(200)).max(64),
});
export type SavedView = z.infer<typeof SavedView>;

export const viewsArea = defineArea({
  calls: {
    'views.list': defineCall({ input: CaseRef, output: z.array(SavedView), access: 'read', audit: 'always' }),
    // The view's filter is typed text (search, field values, paths): sensitive, as in events.page.
    'views.save': defineCall({
      input: CaseRef.extend({ view: SavedView }), output: z.array(SavedView), access: 'write', audit: 'always',
      sensitive: ['view.filter.text', 'view.filter.fields.value', 'view.filter.files'],
    }),
    'views.delete': defineCall({ input: CaseRef.extend({ name: z.string().min(1).max(200) }), output: z.array(SavedView), access: 'write', audit: 'always' }),
  },
});
