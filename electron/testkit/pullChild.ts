// Runs one pull in its own process (tests kill it mid-transfer to prove a pull resumes from its state on disk).
// Usage: tsx pullChild.ts '<json: { caseDir, profile, agentSocket, resume? }>' — prints progress as JSON lines.
import { SiteProfile } from '../../shared/profile';
import { runPull } from '../engine/transport/pull';
import type { SourceId } from '../engine/transport/discover';

const arg = JSON.parse(process.argv[2] ?? '{}') as { caseDir: string; profile: unknown; agentSocket: string; resume?: string; sources?: SourceId[] };
const out = await runPull({
  caseDir: arg.caseDir,
  profile: SiteProfile.parse(arg.profile),
  chain: { trust: { knownHosts: [] }, agentSocket: arg.agentSocket },
  ...(arg.resume ? { resume: arg.resume } : {}),
  ...(arg.sources ? { sources: arg.sources } : {}),
  parallelFiles: 2,
  onProgress: (p) => process.stdout.write(`${JSON.stringify({ pullId: p.pullId, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal })}\n`),
});
process.stdout.write(`${JSON.stringify({ done: out.pullId, bundle: out.bundle?.id })}\n`);
