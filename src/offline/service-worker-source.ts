/**
 * The service worker that makes the app work with the network off after one visit (issue 7 §5), as source
 * text: the build writes it to dist/sw.js with the exact list of files the build produced and a version
 * derived from them, so a new build replaces the old cache in one step and never mixes files of two builds.
 *
 * Strategy:
 * - install: precache every file of this build (all same-origin, all small enough: the app is ~1 MB);
 * - activate: delete caches of older builds, take control of open pages;
 * - fetch (same-origin GET only; nothing else is ever requested): page navigations go to the network first,
 *   so an online user gets a new build, and fall back to the cached app shell offline; every other file is
 *   served from the cache first (build files are content-hashed, so a cached copy is never stale). Vary is
 *   ignored: the server varies on Origin, which module-script requests send and the precache requests did not.
 * Why hand-written rather than Workbox: twenty lines do this exactly, with no runtime dependency to audit.
 */
export function serviceWorkerSource(version: string, files: readonly string[]): string {
  const list = JSON.stringify(['./', ...files.filter((f) => f !== 'index.html' && f !== 'sw.js').map((f) => `./${f}`)]);
  return `// SSGNet service worker, generated at build time (src/offline/service-worker-source.ts). Build ${version}.
const CACHE = 'ssgnet-${version}';
const FILES = ${list};
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('ssgnet-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});
self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    event.respondWith(fetch(req).catch(() => caches.match('./', { ignoreSearch: true, ignoreVary: true }).then((r) => r || Response.error())));
    return;
  }
  event.respondWith(caches.match(req, { ignoreSearch: true, ignoreVary: true }).then((hit) => hit || fetch(req)));
});
`;
}
