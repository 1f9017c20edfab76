// Shared state every scenario writes through.
import type { Emitter } from './emitter';
import type { Rng } from './prng';
import type { Sink, Sinks } from './sink';
import type { SiteZone } from './time';
import type { CeleryTruth, MetadataTruth, PipelineTruth, PrefectFlowTruth, TaskbladeTruth } from './truth';

/** Truth entries while generating: `chain` indexes Emitter.chainEvents, filled in as records are written. */
export type Pending<T> = Omit<T, 'events'> & { chain: number };

export interface World {
  rng: Rng;
  zone: SiteZone;
  em: Emitter;
  sinks: Sinks;
  /** The rotated system-log file that holds instant `ts`. */
  systemSink(ts: number): Sink;
  /** Next `logid` of the system logger ("<boot-epoch>.<n>"). */
  nextLogId(): string;
  faults: boolean;
  /** Set by a planted fault: the next pipeline run tears one of its records. */
  tearNextPipeline: boolean;
  runIds: Set<string>;
  truth: {
    celery: Pending<CeleryTruth>[];
    taskblade: Pending<TaskbladeTruth>[];
    pipelines: PipelineTruth[];
    prefectFlows: PrefectFlowTruth[];
    metadata: Pending<MetadataTruth>[];
  };
}
