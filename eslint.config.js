// Worlds are kept apart mechanically: the engine never imports electron; shared/ uses neither Node nor the DOM.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['fs', 'path', 'os', 'child_process', 'crypto', 'stream', 'zlib', 'http', 'net', 'url', 'worker_threads', 'util', 'events', 'readline', 'buffer'];

export default tseslint.config(
  { ignores: ['.scratch*/**', 'out/**', 'node_modules/**', 'dist/**', '.bench/**', 'test-results/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['electron/**/*.{ts,mjs,js}', 'e2e/**/*.{ts,mjs}', '*.config.{ts,js}', 'electron.vite.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['electron/engine/**', 'electron/cli/**', 'electron/serve/**', 'electron/door/**', 'electron/bench/**', 'electron/testkit/**', 'electron/tools/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The engine, CLI and bridge run without Electron.' }] }],
    },
  },
  {
    // electron/engine/ is only what ships: test helpers and generators live in electron/testkit/.
    files: ['electron/engine/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The engine runs without Electron.' }],
        patterns: [{ group: ['**/testkit/**'], message: 'The engine ships; test helpers stay in electron/testkit/.' }],
      }],
    },
  },
  {
    files: ['shared/**'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', {
        // Builtins by exact name: as patterns they would also match our own files (contract/events.ts).
        paths: [{ name: 'electron', message: 'shared/ is pure TypeScript.' }, ...nodeBuiltins.map((name) => ({ name, message: 'shared/ is pure TypeScript: no Node APIs.' }))],
        patterns: [{ group: ['node:*'], message: 'shared/ is pure TypeScript: no Node APIs.' }],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require', 'localStorage', 'navigator'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer talks only to the contract.' }],
        patterns: [{ group: ['node:*', ...nodeBuiltins, '**/electron/engine/**'], message: 'The renderer talks only to the contract.' }],
      }],
    },
  },
);
