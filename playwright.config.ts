import { defineConfig } from '@playwright/test';
import { chromiumArgs, findChromium } from './src/cli/chromium.ts';

/**
 * End-to-end tests in a real Chromium with WebGPU (SwiftShader where there is no GPU), against the built
 * app served by `vite preview` with the app's Content-Security-Policy. `npm test` builds first.
 * One worker: the software GPU adapter already uses every core.
 */
const PORT = 4317;

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/artifacts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: findChromium(), args: chromiumArgs() },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
