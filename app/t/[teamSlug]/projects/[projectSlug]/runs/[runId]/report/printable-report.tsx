'use client';

import Link from 'next/link';
import type { runReport } from '@/server/services/runs';
import { ExplainReportView } from '../../../../../../../_components/reports/explain-report';
import { FairnessReportView } from '../../../../../../../_components/reports/fairness-report';
import { Alert, Button } from '../../../../../../../_components/ui';

export function PrintableReport(props: {
  run: { id: string; number: number; name: string; project: string; team: string; architecture: string | null; dataset: string | null; finishedAt: string | null };
  backHref: string;
  report: Awaited<ReturnType<typeof runReport>>;
}) {
  const { run, report } = props;
  return (
    <div className="mx-auto max-w-5xl space-y-5 print:max-w-none" data-testid="printable-report">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">
            Run #{run.number} {run.name}
          </h1>
          <p className="text-sm text-slate-500">
            {report.checkpoint ? `Checkpoint of epoch ${report.checkpoint.epoch} (${report.checkpoint.kind}) · ` : ''}
            {run.team} / {run.project} · architecture {run.architecture ?? '—'} · data {run.dataset ?? '—'} · finished {run.finishedAt ? new Date(run.finishedAt).toLocaleString() : '—'}
          </p>
        </div>
        <div className="flex gap-2 print:hidden">
          <Link href={props.backHref} className="text-sm text-brand-700 hover:underline">
            Back to the run
          </Link>
          <Button size="sm" onClick={() => window.print()}>
            Print
          </Button>
        </div>
      </div>
      {!report.fairness && !report.explain ? <Alert tone="info">This run has no reports (only finished supervised runs get them).</Alert> : null}
      {report.fairness ? <FairnessReportView fairness={report.fairness} gates={report.gates} print /> : null}
      {report.explain ? <ExplainReportView ex={report.explain} /> : null}
    </div>
  );
}
