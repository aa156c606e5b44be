import { prisma } from '@/lib/db/client';
import { logFailure } from '@/lib/log';
import { cancelRun, runLogs } from '../../services/runs';
import type { Place } from './place';

const POLL_MS = 500;

/** Waits for the run's end, echoing its log lines; Ctrl-C cancels the run. */
export async function waitForRun(runId: string, place: Place, echo: ((line: string) => void) | null, workerFailure: () => unknown) {
  let lastLog: bigint | undefined;
  let queuedNoted = false;
  let interrupted = false;
  let forced = false;
  const onSignal = () => {
    if (interrupted) {
      forced = true;
      return;
    }
    interrupted = true;
    echo?.('interrupted: canceling the run…');
    void cancelRun({ teamId: place.teamId, role: 'OWNER', runId }).catch(logFailure(`canceling run ${runId}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (;;) {
      const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      if (echo) {
        const lines = await runLogs(place.teamId, runId, lastLog);
        for (const l of lines) {
          lastLog = BigInt(l.id);
          if (l.level !== 'debug') echo(`[run ${run.number}] ${l.message}`);
        }
        if (run.status === 'QUEUED' && !queuedNoted && Date.now() - run.queuedAt.getTime() > 5000) {
          queuedNoted = true;
          echo('waiting for a worker to take the run…');
        }
      }
      if (run.status === 'SUCCEEDED' || run.status === 'FAILED' || run.status === 'CANCELED') return run;
      const failure = workerFailure();
      if (failure) throw new Error(`the worker in this process stopped: ${failure instanceof Error ? failure.message : String(failure)}`);
      if (forced) throw new Error(`interrupted twice; run ${runId} may still be ${run.status.toLowerCase()}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
