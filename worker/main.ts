import { createPrismaClient } from '@/lib/db/client';
import { loadBestBackend, parseBackendPreference } from './backend';
import { registerWorker } from './registration';

/**
 * The worker process: loads the best TensorFlow.js backend, registers itself, heartbeats, and
 * shuts down cleanly on SIGINT/SIGTERM. The training queue consumer plugs in here (issue 5).
 */
export async function runWorker(opts: { databaseUrl: string; log?: (line: string) => void }): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(`[worker ${process.pid}] ${line}`));
  const backend = await loadBestBackend(parseBackendPreference(process.env.DEEPBOARD_BACKEND));
  const skipped = backend.attempts.filter((a) => !a.ok).map((a) => `${a.backend} (${a.reason})`);
  log(`TensorFlow.js backend: ${backend.name} on ${backend.device}${skipped.length ? `; skipped ${skipped.join(', ')}` : ''}`);

  const prisma = createPrismaClient(opts.databaseUrl);
  const registration = await registerWorker(prisma, backend, { name: process.env.DEEPBOARD_WORKER_NAME, log });
  log(`registered as ${registration.id}`);

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log(`${signal} received, shutting down`);
      resolve();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  await registration.stop();
  await prisma.$disconnect();
  log('stopped');
}
