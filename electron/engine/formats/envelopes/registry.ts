// The known envelopes, in detection-priority order. Add a definition file and list it here; nothing else changes.
import { cri, dockerCompose, dockerJson, timestamps } from './docker';
import { journald, journaldIso, rfc5424 } from './journald';
import { kubectlPrefix } from './kubernetes';
import { quoted } from './ticket';
import type { EnvelopeDefinition } from './types';

export const ENVELOPES: readonly EnvelopeDefinition[] = [
  journald, journaldIso, rfc5424, cri, dockerCompose, kubectlPrefix, timestamps, dockerJson, quoted,
].sort((a, b) => a.priority - b.priority);

export function envelopeById(id: string): EnvelopeDefinition | undefined {
  return ENVELOPES.find((e) => e.id === id);
}

/** What `casefile formats` shows of an envelope. */
export function envelopeInfo(e: EnvelopeDefinition) {
  return {
    id: e.id, name: e.name, description: e.description, kind: 'envelope' as const,
    keeps: [...Object.values(e.fields), ...(e.time ? ['envelope_ts'] : [])],
    streams: e.stream?.length ? `one per ${e.stream.join('/')}` : undefined,
    timezone: e.time ? `envelope stamp (${e.time.shapes.join(', ')}) when the record has none` : 'none',
    samples: e.samples.length,
  };
}
