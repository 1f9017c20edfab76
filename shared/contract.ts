// The one typed contract between the UI and the engine. Electron IPC (preload), the browser-mode HTTP bridge and
// the CLI all carry exactly these calls. Each feature area declares its calls (schemas and policy: access, audit,
// secret and sensitive fields, timeout) and events in its own file under contract/; this file only gathers them.
// A new area: one file in contract/ and one line in AREAS.
import type { z } from 'zod';
import type { CallSpec } from './contract/define';
import { zodMessage, type ContractError } from './contract/errors';
import { appArea } from './contract/app';
import { auditArea } from './contract/audit';
import { casesArea } from './contract/cases';
import { chainsArea } from './contract/chains';
import { eventsArea } from './contract/events';
import { exportArea } from './contract/export';
import { importArea } from './contract/import';
import { jobsArea } from './contract/jobs';
import { keysArea } from './contract/keys';
import { profilesArea } from './contract/profiles';
import { pullArea } from './contract/pull';
import { redactArea } from './contract/redact';
import { sealedArea } from './contract/sealed';
import { viewsArea } from './contract/views';

export const AREAS = {
  app: appArea,
  audit: auditArea,
  cases: casesArea,
  chains: chainsArea,
  events: eventsArea,
  export: exportArea,
  import: importArea,
  jobs: jobsArea,
  keys: keysArea,
  profiles: profilesArea,
  pull: pullArea,
  redact: redactArea,
  sealed: sealedArea,
  views: viewsArea,
};
export type AreaName = keyof typeof AREAS;

type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;
type Flat<T> = { [K in keyof T]: T[K] };
type Areas = (typeof AREAS)[AreaName];
type AllCalls = Flat<UnionToIntersection<Areas['calls']>>;
type AllEvents = Flat<UnionToIntersection<Areas['events']>>;

function merge<K extends 'calls' | 'events'>(part: K): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [area, def] of Object.entries(AREAS)) {
    for (const [name, spec] of Object.entries(def[part])) {
      if (Object.prototype.hasOwnProperty.call(out, name)) throw new Error(`Contract ${part.slice(0, -1)} "${name}" is declared twice (again in area ${area}).`);
      out[name] = spec;
    }
  }
  return out;
}

/** Every call: name → schemas and policy. */
export const calls = merge('calls') as unknown as AllCalls;
/** Events pushed from engine to UI. */
export const events = merge('events') as unknown as AllEvents;

export type CallName = keyof AllCalls & string;
export type CallInput<N extends CallName> = z.infer<AllCalls[N]['input']>;
export type CallOutput<N extends CallName> = z.infer<AllCalls[N]['output']>;
export type EventName = keyof AllEvents & string;
export type EventPayload<N extends EventName> = z.infer<AllEvents[N]>;

/** A call's spec, seen without its exact types (policy code walks every call alike). */
export function specOf(name: CallName): CallSpec {
  return calls[name] as unknown as CallSpec;
}

/** The area a call belongs to. */
export function areaOf(name: CallName): AreaName {
  return (Object.keys(AREAS) as AreaName[]).find((a) => Object.prototype.hasOwnProperty.call(AREAS[a].calls, name))!;
}

/** The whole API, as the renderer uses it. */
export type Api = { [N in CallName]: (input: CallInput<N>) => Promise<CallOutput<N>> };
export const CALL_NAMES = Object.keys(calls) as CallName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** Validates a call's input against its schema: the one place that says how invalid input is reported. */
export function parseInput(name: CallName, input: unknown): { ok: true; data: unknown } | { ok: false; error: ContractError } {
  const parsed = specOf(name).input.safeParse(input ?? {});
  return parsed.success ? { ok: true, data: parsed.data }
    : { ok: false, error: { code: 'invalid_input', message: `Invalid input to ${name}: ${zodMessage(parsed.error)}.` } };
}

export { ContractError, ContractFailure, ERROR_CODES, toContractError, zodMessage, type ErrorCode } from './contract/errors';
export { DEFAULT_TIMEOUT_MS, MAX_CALL_INPUT_BYTES, type Access, type AuditRule, type CallSpec } from './contract/define';
export { AppInfo } from './contract/app';
export { EventPage, FieldStats, Histogram, HistogramLane, SqlResult } from './contract/events';
export { SavedView } from './contract/views';
export { JobInfo, JobState, JobStep, jobIsLive } from './contract/jobs';
export { ImportCheck, ImportCheckProgress } from './contract/import';
export { RetimePlan, zoneBusy } from './contract/cases';
