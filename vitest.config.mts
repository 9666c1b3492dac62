import { defineConfig } from 'vitest/config';

// Unit tests run in Node on tfjs's CPU backend. tfjs is inlined and resolved through its ES module build,
// which trains about 3.7x faster in Node than the default CommonJS entry (ENVIRONMENT.md).
export default defineConfig({
  resolve: { mainFields: ['module', 'jsnext:main', 'jsnext'] },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    server: { deps: { inline: [/@tensorflow\//] } },
  },
});
