import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { contentSecurityPolicy } from './src/cli/csp.ts';

// The benchmark page (bench/page/), built on its own into dist-bench/ so it is never part of the app
// bundle, and served by bench/run.ts under the app's Content-Security-Policy. SSG_BENCH_OUT_DIR builds elsewhere,
// so a second benchmark can run while a long one still serves its own build.
export default defineConfig({
  root: resolve(import.meta.dirname, 'bench/page'),
  base: './',
  build: {
    outDir: resolve(import.meta.dirname, process.env.SSG_BENCH_OUT_DIR ?? 'dist-bench'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  preview: { host: '127.0.0.1', headers: { 'Content-Security-Policy': contentSecurityPolicy } },
});
