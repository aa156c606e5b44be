import { Badge } from '../ui';

type Gates = { status: 'pass' | 'fail' | 'undefined' | 'none'; failed: string[] } | null | undefined;

const LABEL = { pass: 'pass', fail: 'fail', undefined: 'unmeasurable', none: 'no report' } as const;
const TONE = { pass: 'green', fail: 'red', undefined: 'amber', none: 'slate' } as const;

/** A run's status under the team's fairness gates; the failing rules in the tooltip. */
export function GateBadge({ gates }: { gates: Gates }) {
  if (!gates) return <span className="text-slate-400">—</span>;
  const title =
    gates.status === 'pass' ? 'Every fairness gate passes' : gates.status === 'none' ? 'This run has no fairness report (no sensitive attribute, or not a binary task)' : gates.failed.join('\n');
  return (
    <span data-testid="gate-status" data-status={gates.status} title={title}>
      <Badge tone={TONE[gates.status]}>{LABEL[gates.status]}</Badge>
    </span>
  );
}
