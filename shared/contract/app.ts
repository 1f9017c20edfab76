// The app itself and the format definitions it knows.
import { z } from 'zod';
import { FormatInfo } from '../domain';
import { ViewLink } from '../viewLink';
import { defineArea, defineCall } from './define';

export const AppInfo = z.object({
  version: z.string(),
  commit: z.string(),
  mode: z.enum(['electron', 'browser']),
  operator: z.string(),
  defaultCaseId: z.string().nullable(),
});

export const appArea = defineArea({
  calls: {
    'app.info': defineCall({ input: z.object({}), output: AppInfo, access: 'read', audit: 'never' }),
    'formats.list': defineCall({ input: z.object({}), output: z.array(FormatInfo), access: 'read', audit: 'never' }),
  },
  events: {
    /** Desktop only: the shell opens a checked `casefile://open?…` link (a case this installation knows) in the window. */
    'app.openLink': ViewLink,
  },
});
