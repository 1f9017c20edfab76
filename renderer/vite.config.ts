// Renderer build: static files loaded by Electron's app:// protocol and by `casefile serve`; relative base, no inline scripts.
// (No node: imports here: the renderer lint world forbids them. Vite rewrites import.meta.url to this file's URL.)
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = decodeURIComponent(new URL('.', import.meta.url).pathname).replace(/\/$/, '');

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}/../out/renderer`,
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
});
