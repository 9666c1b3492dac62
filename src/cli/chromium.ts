/**
 * Finds the Chromium that the runner and the end-to-end tests drive, and the flags that give it WebGPU
 * without a GPU (ENVIRONMENT.md): CHROMIUM_PATH first, then Debian's /usr/bin/chromium (and common Chrome
 * paths), then a browser Playwright downloaded itself. None found is one clear line naming the fix.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, which does not exist. Point it at a Chromium or Chrome binary.`);
  }
  for (const p of SYSTEM_PATHS) if (existsSync(p)) return p;
  try {
    const managed = chromium.executablePath();
    if (managed && existsSync(managed)) return managed;
  } catch {
    /* no Playwright-managed browser */
  }
  throw new Error(
    'No Chromium found: install one (Debian/Ubuntu: `sudo apt-get install chromium`), or set CHROMIUM_PATH=/path/to/chrome, or run `npx playwright install chromium`.',
  );
}

/** Which WebGPU adapter Chromium offers on a machine without a GPU (ENVIRONMENT.md). */
export type SoftwareAdapter = 'swiftshader' | 'lavapipe';

/** SSGNET_FAST_ADAPTER=lavapipe picks Mesa's Vulkan driver; anything else leaves Chromium's default (SwiftShader). */
export function adapterFromEnv(): SoftwareAdapter {
  return process.env.SSGNET_FAST_ADAPTER === 'lavapipe' ? 'lavapipe' : 'swiftshader';
}

/**
 * Flags: WebGPU on (with a software adapter where there is no GPU), and no background network chatter.
 * `adapter` defaults to the environment's choice; the benchmark names it to launch one browser per adapter.
 */
export function chromiumArgs(adapter: SoftwareAdapter = adapterFromEnv()): string[] {
  const args = [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--disable-default-apps',
  ];
  // lavapipe: Mesa's Vulkan driver through WebGPU compatibility mode (about 6x faster than SwiftShader on a
  // CPU-only machine; needs mesa-vulkan-drivers), and WebGL through ANGLE on the same driver. ENVIRONMENT.md.
  if (adapter === 'lavapipe') {
    args.push('--enable-features=Vulkan', '--use-vulkan=native', '--use-angle=vulkan', '--disable-gpu-sandbox', '--ignore-gpu-blocklist', '--use-webgpu-adapter=opengles', '--force-webgpu-compat');
  }
  return args;
}
