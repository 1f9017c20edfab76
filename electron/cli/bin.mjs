#!/usr/bin/env node
// `casefile` entry point: runs the TypeScript CLI through tsx, so `npx casefile` works straight after `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
