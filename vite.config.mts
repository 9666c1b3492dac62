import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { contentSecurityPolicy } from './src/cli/csp.ts';
import { offlinePlugin } from './src/offline/vite-plugin.ts';

// The app is a static bundle: everything it needs ships in dist/, nothing is fetched from elsewhere.
export default defineConfig({
  plugins: [svelte(), offlinePlugin()],
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  preview: { host: '127.0.0.1', port: 4173, headers: { 'Content-Security-Policy': contentSecurityPolicy } },
  server: { host: '127.0.0.1', headers: { 'Content-Security-Policy': contentSecurityPolicy } },
});
