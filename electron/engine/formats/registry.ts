// The known formats, in detection-priority order. Add a definition file and list it here; nothing else changes.
import type { FormatInfo } from '../../../shared/domain';
import { accessLog, apacheError } from './apache';
import { celery } from './celery';
import { djangoRunserver } from './django';
import { genericJson, genericText, prettyJson, raw } from './generic';
import { doodle, gunicorn } from './gunicorn';
import { jupyter } from './jupyter';
import { logfmt } from './logfmt';
import { pipeline } from './pipeline';
import { prefect } from './prefect';
import { prefect1, prefect2 } from './prefect2';
import { pythonBasic, pythonLogging } from './python';
import { system } from './system';
import { taskblade } from './taskblade';
import type { FormatDefinition } from './types';

export const FORMATS: readonly FormatDefinition[] = [
  pipeline, taskblade, system, celery, prefect, prefect2, prefect1, doodle, gunicorn, jupyter, apacheError, accessLog,
  djangoRunserver, pythonLogging, pythonBasic, logfmt, genericJson, prettyJson, genericText, raw,
].sort((a, b) => a.priority - b.priority);

export function formatById(id: string): FormatDefinition | undefined {
  return FORMATS.find((f) => f.id === id);
}

export function formatInfo(f: FormatDefinition): FormatInfo {
  return {
    id: f.id,
    name: f.name,
    description: f.description,
    paths: f.paths,
    kind: f.kind,
    multiline: f.kind === 'text',
    timezone: f.time.epoch?.length ? 'epoch field, else site timezone'
      : f.time.inline?.length && !f.time.naive?.length ? 'offset in each stamp'
        : f.kind === 'raw' ? 'none' : f.time.inline?.length ? 'offset in stamp, else site timezone' : 'site timezone',
    samples: f.samples.length,
  };
}
