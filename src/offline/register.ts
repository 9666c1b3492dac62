/**
 * Registers the service worker of a production build (dist/sw.js), so the app opens with the network off
 * after one visit. Development builds have none (Vite serves modules live). A refusal (private mode, an
 * unsupported browser, a file:// page) is reported, never fatal: the app works online without it.
 */
export async function registerServiceWorker(): Promise<'registered' | 'unsupported' | 'dev' | string> {
  if (!import.meta.env.PROD) return 'dev';
  if (!('serviceWorker' in navigator)) return 'unsupported';
  try {
    await navigator.serviceWorker.register('./sw.js', { scope: './' });
    return 'registered';
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
}
