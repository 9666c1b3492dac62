import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { contentSecurityPolicy } from './src/cli/csp.ts';

// The benchmark page (bench/page/), built on its own into dist-bench/ so it is never part of the app
// bundle, and served by bench/run.ts under the app's Content-Security-Policy.
export default defineConfig({
  root: resolve(import.meta.dirname, 'bench/page'),
  base: './',
  build: {
    outDir: resolve(import.meta.dirname, 'dist-bench'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  preview: { host: '127.0.0.1', headers: { 'Content-Security-Policy': contentSecurityPolicy } },
});
