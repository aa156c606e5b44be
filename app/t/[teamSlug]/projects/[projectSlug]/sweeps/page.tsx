import type { Metadata } from 'next';
import Link from 'next/link';
import { can } from '@/lib/roles';
import { listSweeps } from '@/server/services/sweeps';
import { Card, CardHeader, EmptyState, PageHeader } from '../../../../../_components/ui';
import { loadProject } from '../project';
import { SweepsTable } from './sweeps-table';

export const metadata: Metadata = { title: 'Sweeps' };

export default async function SweepsPage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string }> }) {
  const { teamSlug, projectSlug } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  const sweeps = await listSweeps(team.id, project.id);
  const base = `/t/${team.slug}/projects/${project.slug}`;
  return (
    <>
      <PageHeader title={`Sweeps · ${project.name}`} description="Hyperparameter searches: grid or seeded random search with a run budget, parallel runs and optional median early stopping." />
      <Card>
        <CardHeader
          title="Sweeps"
          actions={
            can.write(team.role) ? (
              <Link href={`${base}/sweeps/new`} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
                New sweep
              </Link>
            ) : null
          }
        />
        {sweeps.length ? (
          <SweepsTable sweeps={sweeps} basePath={base} />
        ) : (
          <div className="p-5">
            <EmptyState title="No sweeps yet">Search learning rates, batch sizes or optimizers over many runs at once.</EmptyState>
          </div>
        )}
      </Card>
    </>
  );
}
