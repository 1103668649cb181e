/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // forbidden() renders a 403 page for a signed-in user whose role may not open a page.
  experimental: { authInterrupts: true },
};

export default nextConfig;
