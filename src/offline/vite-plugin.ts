/**
 * Build-time pieces of "offline and private" (issue 7 §5), as one Vite plugin:
 * - dist/sw.js: the service worker with this build's file list (service-worker-source.ts);
 * - the Content-Security-Policy as a <meta> tag in index.html too, so the app forbids requests off its origin
 *   even when a static host serves it without our headers (the preview server and the runner send it as a
 *   header as well). Build only: the dev server's module graph is served by Vite itself.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';
import { contentSecurityPolicy } from '../cli/csp.ts';
import { serviceWorkerSource } from './service-worker-source.ts';

export function offlinePlugin(): Plugin {
  return {
    name: 'ssgnet-offline',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy }, injectTo: 'head-prepend' }],
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).sort();
      const hash = createHash('sha256');
      for (const name of files) {
        const item = bundle[name]!;
        hash.update(name);
        hash.update(item.type === 'chunk' ? item.code : typeof item.source === 'string' ? item.source : Buffer.from(item.source));
      }
      // public/ files are copied after generateBundle; list them by name (they change rarely and are tiny).
      const publicFiles = ['favicon.svg', 'manifest.webmanifest'];
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: serviceWorkerSource(hash.digest('hex').slice(0, 16), [...files, ...publicFiles]) });
    },
  };
}
