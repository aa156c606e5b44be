/**
 * Runs once when the Next.js server starts: background upkeep that must not depend on a worker
 * being alive — runs whose worker died are requeued or failed, and abandoned uploads are removed.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs' || !process.env.DATABASE_URL) return;
  const { startUpkeep } = await import('./server/upkeep');
  startUpkeep();
}
