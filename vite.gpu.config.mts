import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { contentSecurityPolicy } from './src/cli/csp.ts';

// The GPU kernel test page (tests/gpu/index.html + main.ts), built on its own into dist-gpu-tests/ so it is
// never part of the app bundle. Served by `vite preview --config vite.gpu.config.mts` for
// playwright.gpu.config.ts, under the app's Content-Security-Policy so the kernels run as they would there.
export default defineConfig({
  root: resolve(import.meta.dirname, 'tests/gpu'),
  base: './',
  build: {
    outDir: resolve(import.meta.dirname, 'dist-gpu-tests'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  preview: { host: '127.0.0.1', port: 4318, headers: { 'Content-Security-Policy': contentSecurityPolicy } },
});
