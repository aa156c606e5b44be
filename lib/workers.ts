import { env } from './env';

/** Heartbeat timing shared by the worker (sender) and the server (who judges a worker lost). */
export const WORKER_HEARTBEAT_MS = env().DEEPBOARD_HEARTBEAT_MS;
/** A worker whose last heartbeat is older than this is considered lost. */
export const WORKER_LOST_AFTER_MS = env().DEEPBOARD_WORKER_LOST_MS;
