import { Badge } from '../ui';

const TONE = { QUEUED: 'slate', RUNNING: 'brand', SUCCEEDED: 'green', FAILED: 'red', CANCELED: 'amber', PRUNED: 'amber' } as const;

export function RunStatus({ status, queuePosition }: { status: keyof typeof TONE; queuePosition?: number | null }) {
  return (
    <span data-testid="run-status" data-status={status}>
      <Badge tone={TONE[status]}>
        {status.toLowerCase()}
        {status === 'QUEUED' && queuePosition ? ` · #${queuePosition} in queue` : ''}
      </Badge>
    </span>
  );
}

export function duration(start: Date | null, end: Date | null): string {
  if (!start) return '—';
  const s = Math.max(0, Math.round(((end ?? new Date()).getTime() - start.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
