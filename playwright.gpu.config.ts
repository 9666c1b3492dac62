import { defineConfig } from '@playwright/test';
import { chromiumArgs, findChromium } from './src/cli/chromium.ts';

/**
 * GPU kernel tests: our WGSL kernels against their plain-tfjs references in a real Chromium with WebGPU
 * (SwiftShader where there is no GPU; SSGNET_FAST_ADAPTER=lavapipe for Mesa's compatibility-mode adapter).
 * Serves the page built by `vite build --config vite.gpu.config.mts` (npm run test:gpu does both).
 * SSG_GPU_BENCH=1 also runs the timing comparison (several minutes on SwiftShader; reported, not asserted).
 */
const PORT = 4318;

export default defineConfig({
  testDir: 'tests/gpu',
  testMatch: '*.spec.ts',
  outputDir: 'test-results/gpu-artifacts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 600_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    launchOptions: { executablePath: findChromium(), args: chromiumArgs() },
    trace: 'off',
  },
  webServer: {
    command: `npx vite preview --config vite.gpu.config.mts --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
