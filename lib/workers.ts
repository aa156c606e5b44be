/** Heartbeat timing shared by the worker (sender) and the server (who judges a worker lost). */
export const WORKER_HEARTBEAT_MS = Number(process.env.DEEPBOARD_HEARTBEAT_MS ?? 5_000);
/** A worker whose last heartbeat is older than this is considered lost. */
export const WORKER_LOST_AFTER_MS = Number(process.env.DEEPBOARD_WORKER_LOST_MS ?? 30_000);
