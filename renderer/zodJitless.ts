// The renderer's CSP forbids eval. zod 4 probes `new Function` when it builds object schemas (to JIT parsers);
// under the CSP each probe is a reported violation. Imported first by main.tsx, before any schema exists.
import { z } from 'zod';

z.config({ jitless: true });
