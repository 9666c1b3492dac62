import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The Node device harness (bench/device/main.ts) as one self-contained ES module bundle in .device/dist/:
// tfjs, our kernels (WGSL inlined through ?raw) and the pipeline code, with idb-keyval replaced by an
// in-memory store. Only dawn.node is loaded from outside, at a path given on the command line.
export default defineConfig({
  resolve: { alias: { 'idb-keyval': resolve(import.meta.dirname, 'bench/device/memory-kv.ts') } },
  publicDir: false,
  ssr: { noExternal: true, target: 'node' },
  build: {
    ssr: resolve(import.meta.dirname, 'bench/device/main.ts'),
    outDir: resolve(import.meta.dirname, '.device/dist'),
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { output: { entryFileNames: 'main.mjs', codeSplitting: false } },
  },
});
