// Headers every response carries. Pages get their Content-Security-Policy, with a per-request script
// nonce, from proxy.ts (lib/security/csp.ts); API answers and static files get NON_PAGE_CSP, which
// allows nothing to load, run or frame them.
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";
export const SECURITY_HEADERS = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // forbidden() renders a 403 page for a signed-in user whose role may not open a page.
  experimental: { authInterrupts: true },
  // npm test runs `tsc --noEmit` over the whole project first; checking again inside every build
  // only costs time on 2 cores.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    return [
      { source: "/:path*", headers: SECURITY_HEADERS },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: NON_PAGE_CSP }] },
      { source: "/_next/static/:path*", headers: [{ key: "Content-Security-Policy", value: NON_PAGE_CSP }] },
    ];
  },
};

export default nextConfig;
