// Cases: create, open, list, close, and their settings.
import { z } from 'zod';
import { CaseInfo } from '../domain';
import { CaseRef } from './common';
import { defineArea, defineCall } from './define';

export const casesArea = defineArea({
  calls: {
    'cases.list': defineCall({ input: z.object({}), output: z.array(CaseInfo), access: 'read', audit: 'never' }),
    'cases.create': defineCall({
      input: z.object({ name: z.string().min(1).max(200), dir: z.string().max(4096).optional(), timezone: z.string().max(64).optional() }),
      output: CaseInfo, access: 'write', audit: 'always',
    }),
    /** Opening takes the case's lock and may replay its write-ahead log after a crash. */
    'cases.open': defineCall({ input: z.object({ dir: z.string().min(1).max(4096) }), output: CaseInfo, access: 'write', audit: 'always', timeoutMs: 600_000 }),
    'cases.get': defineCall({ input: CaseRef, output: CaseInfo, access: 'read', audit: 'never' }),
    'cases.close': defineCall({ input: CaseRef, output: z.object({ ok: z.boolean() }), access: 'write', audit: 'always' }),
    'cases.setTimezone': defineCall({ input: CaseRef.extend({ timezone: z.string().min(1).max(64) }), output: CaseInfo, access: 'write', audit: 'always' }),
  },
});
