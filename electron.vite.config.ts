// electron-vite: main (+ the engine utility process) as ESM, the sandboxed preload as ONE CommonJS file with
// everything bundled, and the renderer from renderer/ into out/renderer with renderer/vite.config.ts's settings.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import rendererConfig from './renderer/vite.config';

const root = import.meta.dirname;

// Native or heavy Node dependencies stay in node_modules (unpacked from the asar by electron-builder.yml).
const NATIVE = ['@duckdb/node-api', '@duckdb/node-bindings', /^@duckdb\/node-bindings-/];

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/shell/main.ts'),
          'engine-host': resolve(root, 'electron/shell/engine-host.ts'),
          // the redaction pool's worker_threads entry (electron/engine/redact/pool.ts loads it beside the engine)
          'redact-worker': resolve(root, 'electron/engine/redact/worker.ts'),
        },
        external: NATIVE,
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // A sandboxed preload can only require('electron') and a few built-ins: bundle zod and the contract into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(root, 'electron/shell/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  // One renderer build definition (renderer/vite.config.ts, owned by the UI); only the entry is made explicit here.
  renderer: {
    ...rendererConfig,
    build: { ...rendererConfig.build, minify: true, rollupOptions: { input: resolve(root, 'renderer/index.html') } },
  },
});
