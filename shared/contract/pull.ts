// The pull area: its calls and events go here (see define.ts and docs/CONTRACT.md). Wired into shared/contract.ts.
import { defineArea } from './define';

export const pullArea = defineArea({ calls: {} });
