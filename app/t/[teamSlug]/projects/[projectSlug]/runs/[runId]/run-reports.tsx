'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import type { CheckpointReports } from '@/lib/schemas/run-documents';
import { ExplainReportView } from '../../../../../../_components/reports/explain-report';
import { FairnessReportView } from '../../../../../../_components/reports/fairness-report';
import { Alert, Button, Select } from '../../../../../../_components/ui';
import { useTRPC } from '../../../../../../_trpc/client';

interface CheckpointRow {
  id: string;
  epoch: number;
  kind: string;
  reports: CheckpointReports | null;
}

const stateOf = (c: CheckpointRow): Partial<CheckpointReports> => c.reports ?? {};

/**
 * The run's fairness and explainability reports — for its final model, or for any checkpoint,
 * computed on demand by a worker — with links to the printable page and the exports.
 */
export function RunReports(props: { teamId: string; runId: string; basePath: string; canWrite: boolean; checkpoints: CheckpointRow[] }) {
  const { teamId, runId, basePath, canWrite, checkpoints } = props;
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [source, setSource] = useState<string>('final');
  const cp = checkpoints.find((c) => c.id === source);
  const pending = cp && (stateOf(cp).status === 'queued' || stateOf(cp).status === 'running');
  const report = useQuery({
    ...trpc.runs.report.queryOptions({ teamId, runId, ...(cp ? { checkpointId: cp.id } : {}) }),
    refetchInterval: pending ? 3000 : false,
  });
  const compute = useMutation(
    trpc.runs.reportCheckpoint.mutationOptions({
      onSuccess: () => {
        void qc.invalidateQueries({ queryKey: trpc.runs.get.queryKey({ teamId, runId }) });
        void qc.invalidateQueries({ queryKey: trpc.runs.report.queryKey() });
      },
    }),
  );
  if (!report.data) return null;
  const { fairness, explain, gates } = report.data;
  if (!cp && !fairness && !explain) return null;
  const query = cp ? `?checkpoint=${cp.id}` : '';
  const state = cp ? stateOf(cp) : null;
  return (
    <div className="mb-5 space-y-5">
      <div className="flex flex-wrap items-center justify-between gap-3 text-xs">
        <label className="flex items-center gap-2">
          <span className="text-slate-500">Reports for</span>
          <Select aria-label="Report source" value={source} onChange={(e) => setSource(e.target.value)} className="w-auto">
            <option value="final">the final model</option>
            {checkpoints.map((c) => (
              <option key={c.id} value={c.id}>
                checkpoint: epoch {c.epoch} ({c.kind}){stateOf(c).status === 'done' ? ' · report ready' : ''}
              </option>
            ))}
          </Select>
        </label>
        <Link className="text-brand-700 hover:underline" href={`${basePath}/runs/${runId}/report${query}`}>
          Printable report
        </Link>
      </div>
      {cp && state?.status !== 'done' ? (
        <Alert tone={state?.status === 'failed' ? 'error' : 'info'}>
          {state?.status === 'queued' || state?.status === 'running' ? (
            <span data-testid="checkpoint-report-pending">
              Computing the reports of epoch {cp.epoch} on a worker ({state.status})…
            </span>
          ) : (
            <span>
              {state?.status === 'failed' ? `The last attempt failed: ${state.error}. ` : `No reports for the checkpoint of epoch ${cp.epoch} yet. `}
              {canWrite ? (
                <Button size="sm" className="ml-2" disabled={compute.isPending} onClick={() => compute.mutate({ teamId, runId, checkpointId: cp.id })}>
                  Compute reports
                </Button>
              ) : null}
            </span>
          )}
          {compute.error ? <span className="ml-2">{compute.error.message}</span> : null}
        </Alert>
      ) : null}
      {cp && state?.status === 'done' && typeof state.accuracy === 'number' ? <p className="text-xs text-slate-600">Test accuracy of this checkpoint: {(state.accuracy * 100).toFixed(1)}%</p> : null}
      {fairness ? <FairnessReportView key={source} fairness={fairness} gates={gates} exportBase={`/api/runs/${runId}/report`} exportQuery={query} /> : null}
      {explain ? <ExplainReportView key={`ex-${source}`} ex={explain} /> : null}
    </div>
  );
}
