/**
 * Postgres NOTIFY channels, the one list of them: the web servers LISTEN for live updates,
 * workers LISTEN for cancel requests, and any process that changes a run notifies.
 */
export { METRICS_CHANNEL } from './tracking/metrics';
/** Run status, progress and log changes: payload { runId, type: 'run' | 'log', … }. */
export const RUNS_CHANNEL = 'deepboard_runs';
/** Cancel requests: payload is the run id. */
export const CANCEL_CHANNEL = 'deepboard_cancel';
