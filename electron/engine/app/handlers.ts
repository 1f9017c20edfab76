// The app itself: its build and operator, and the format definitions it knows.
import type { AreaHandlers } from '../api';
import { appInfo, currentOperator } from '../audit/appInfo';
import { FORMATS, formatInfo } from '../formats/registry';

export const appHandlers: AreaHandlers<'app'> = {
  'app.info': async (ctx) => {
    const [app, op] = await Promise.all([appInfo(), currentOperator()]);
    return {
      version: app.version, commit: app.commit, mode: ctx.via === 'electron' ? 'electron' : 'browser',
      operator: op.name || op.osUser, defaultCaseId: ctx.openCases()[0]?.meta.id ?? null,
    };
  },
  'formats.list': async () => FORMATS.map(formatInfo),
};
