// Every test file gets its own data home (CASEFILE_HOME): appends create the per-install audit secret, salts and
// the app trail there, never in the operator's real data home. Tests that need another home still set their own.
import { afterAll } from 'vitest';
import { removeDir, tempDir } from './tmp';

const home = tempDir('casefile-home-');
process.env.CASEFILE_HOME = home;
afterAll(() => removeDir(home));
