/**
 * The one Content-Security-Policy of the app, shared by the dev server, `vite preview` and the runner.
 * `connect-src 'self'` is what makes "no request leaves the origin" enforceable by the browser itself;
 * 'wasm-unsafe-eval' is not needed (no wasm backend), blob: workers are not used either.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');
