// The Content-Security-Policy of every page. Scripts run only with this request's nonce (Next puts it
// on its own bootstrap and hydration scripts, read from the request's CSP header that proxy.ts sets);
// 'strict-dynamic' lets those scripts load the page's chunks. Style attributes stay allowed
// ('unsafe-inline' in style-src): React and recharts set element styles, and a style cannot run code.
// Client-safe and pure.

/** A fresh nonce: 16 random bytes, base64. Unpredictable per request, which is the whole point. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export function pageCsp(nonce: string, opts: { dev?: boolean } = {}): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(nonce)) throw new Error("A CSP nonce must be base64.");
  // React's development build reconstructs server stacks with eval; the production build never does.
  const devEval = opts.dev ? " 'unsafe-eval'" : "";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${devEval}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
