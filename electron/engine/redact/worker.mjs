// Worker entry when running from source (CLI, tests, benchmarks): TypeScript through tsx, as electron/cli/bin.mjs.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
