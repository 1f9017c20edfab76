// Input pieces several areas share.
import { z } from 'zod';
import { IsoInstant } from '../domain';

export const CaseRef = z.object({ caseId: z.string().min(1).max(128) });
export const Range = z.object({ from: IsoInstant, to: IsoInstant });
/** A client-chosen job id (so it can follow `job.progress` and cancel before the call returns). */
export const JobId = z.string().min(1).max(64).regex(/^[\w.-]+$/);
