// The packaging and bundling configs, checked offline: electron-builder.yml against electron-builder's own
// schema, and electron.vite.config.ts for the entry points and the single-file CommonJS preload.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';
import { LINK_SCHEME } from '../../shared/viewLink';

const ROOT = path.resolve(import.meta.dirname, '../..');
const YML = path.join(ROOT, 'electron-builder.yml');

async function validate(file: string) {
  const config = await getConfig(ROOT, file, null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation', async () => {
    const c = await validate(YML);
    expect(c.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(c.linux?.target).toEqual(['AppImage', 'deb']);
    expect(c.mac?.target).toEqual(['dmg']);
    expect(c.win?.target).toEqual(['nsis']);
    expect(c.asarUnpack).toEqual(expect.arrayContaining(['node_modules/@duckdb/**', '**/*.node', '**/*.so']));
    expect(c.npmRebuild).toBe(false);
    expect(c.extraResources).toEqual([expect.objectContaining({ from: 'resources/demo', to: 'demo' })]);
    expect(c.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, onlyLoadAppFromAsar: true });
    // The scheme the copy-link buttons write is the one the installed app registers.
    expect(c.protocols).toEqual([expect.objectContaining({ schemes: [LINK_SCHEME] })]);
  });

  it('the validator rejects a broken config (so the check above can fail)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'casefile-builder-'));
    try {
      const bad = path.join(dir, 'bad.yml');
      await writeFile(bad, (await readFile(YML, 'utf8')) + '\nasarUnpackk: oops\n');
      await expect(validate(bad)).rejects.toThrow(/asarUnpackk|unknown property|Invalid configuration/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('electron.vite.config.ts', () => {
  it('builds main + engine host as ESM and the preload as one CommonJS file', async () => {
    const { default: config } = await import('../../electron.vite.config');
    const c = config as {
      main: { build: { rollupOptions: { input: Record<string, string>; external: unknown[] } } };
      preload: { build: { externalizeDeps: boolean; rollupOptions: { input: Record<string, string>; output: { format: string; entryFileNames: string; codeSplitting: boolean } } } };
      renderer: { build: { outDir: string } };
    };
    expect(Object.keys(c.main.build.rollupOptions.input).sort()).toEqual(['engine-host', 'index', 'redact-worker']);
    expect(c.main.build.rollupOptions.external).toContain('@duckdb/node-api');
    expect(c.preload.build.rollupOptions.output).toMatchObject({ format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false });
    expect(c.preload.build.externalizeDeps).toBe(false);
    expect(path.resolve(c.renderer.build.outDir)).toBe(path.join(ROOT, 'out', 'renderer'));
  });
});
