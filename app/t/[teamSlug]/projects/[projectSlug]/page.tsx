import type { Metadata } from 'next';
import Link from 'next/link';
import { can } from '@/lib/roles';
import { listArchitectures } from '@/server/services/architectures';
import { projectDashboard } from '@/server/services/dashboard';
import { listDatasets } from '@/server/services/datasets';
import { listSweeps } from '@/server/services/sweeps';
import { ProjectDashboard } from './dashboard';
import { Badge, Card, CardHeader, EmptyState, PageHeader, THead } from '../../../../_components/ui';
import { loadProject } from './project';
import { RunsExplorer } from './runs-explorer';
import { SweepsTable } from './sweeps/sweeps-table';

export const metadata: Metadata = { title: 'Project' };

export default async function ProjectPage({ params }: { params: Promise<{ teamSlug: string; projectSlug: string }> }) {
  const { teamSlug, projectSlug } = await params;
  const { team, project } = await loadProject(teamSlug, projectSlug);
  const [architectures, datasets, dashboard, sweeps] = await Promise.all([
    listArchitectures(team.id, project.id),
    listDatasets(team.id, project.id),
    projectDashboard(team.id, project.id),
    listSweeps(team.id, project.id),
  ]);
  const base = `/t/${team.slug}/projects/${project.slug}`;
  return (
    <>
      <PageHeader title={project.name} description={project.description || undefined} />
      <ProjectDashboard data={dashboard} base={base} />
      <Card className="mb-6">
        <CardHeader
          title="Runs"
          description="Training runs queued to workers; statuses update live."
          actions={
            can.write(team.role) ? (
              <Link href={`${base}/runs/new`} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
                New run
              </Link>
            ) : null
          }
        />
        <RunsExplorer teamId={team.id} projectId={project.id} basePath={base} />
      </Card>
      <Card className="mb-6">
        <CardHeader
          title="Sweeps"
          description="Hyperparameter searches over many runs: grid or random, a run budget, parallel runs, median early stopping."
          actions={
            <div className="flex items-center gap-3">
              {sweeps.length > 5 ? (
                <Link href={`${base}/sweeps`} className="text-sm text-brand-700 hover:underline">
                  All {sweeps.length} sweeps
                </Link>
              ) : null}
              {can.write(team.role) ? (
                <Link href={`${base}/sweeps/new`} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
                  New sweep
                </Link>
              ) : null}
            </div>
          }
        />
        {sweeps.length === 0 ? (
          <div className="p-5">
            <EmptyState title="No sweeps yet">Search learning rates, batch sizes or optimizers over many runs at once.</EmptyState>
          </div>
        ) : (
          <SweepsTable sweeps={sweeps.slice(0, 5)} basePath={base} />
        )}
      </Card>
      <Card className="mb-6">
        <CardHeader
          title="Datasets"
          description="CSV tables, image folders, text and sequences, or synthetic data; versioned and immutable."
          actions={
            can.write(team.role) ? (
              <Link href={`${base}/datasets/new`} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
                New dataset
              </Link>
            ) : null
          }
        />
        {datasets.length === 0 ? (
          <div className="p-5">
            <EmptyState title="No datasets yet">Upload a CSV or a zip of images, or generate synthetic data.</EmptyState>
          </div>
        ) : (
          <table className="w-full text-sm" data-testid="datasets-table">
            <THead>
              <tr>
                <th className="px-5 py-2 font-medium">Name</th>
                <th className="px-5 py-2 font-medium">Kind</th>
                <th className="px-5 py-2 font-medium">Version</th>
                <th className="px-5 py-2 text-right font-medium">Rows</th>
                <th className="px-5 py-2 font-medium">Task</th>
                <th className="px-5 py-2 font-medium">Sensitive</th>
              </tr>
            </THead>
            <tbody className="divide-y divide-slate-100">
              {datasets.map((d) => (
                <tr key={d.id} className="hover:bg-slate-50">
                  <td className="px-5 py-2.5">
                    <Link href={`${base}/datasets/${d.id}`} className="font-medium text-brand-700 hover:underline">
                      {d.name}
                    </Link>
                  </td>
                  <td className="px-5 py-2.5">
                    <Badge>{d.kind}</Badge>
                  </td>
                  <td className="px-5 py-2.5">v{d.latestVersion}</td>
                  <td className="px-5 py-2.5 text-right font-mono text-xs">{d.rowCount.toLocaleString()}</td>
                  <td className="px-5 py-2.5 text-slate-600">{d.task?.kind ?? '—'}</td>
                  <td className="px-5 py-2.5 text-slate-600">{d.sensitiveColumns.join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card>
        <CardHeader
          title="Architectures"
          description="Networks defined in Deepboard, versioned: every save is a new immutable version."
          actions={
            can.write(team.role) ? (
              <Link href={`${base}/architectures/new`} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700">
                New architecture
              </Link>
            ) : null
          }
        />
        {architectures.length === 0 ? (
          <div className="p-5">
            <EmptyState title="No architectures yet">Start from a template (MLP, CNN, LSTM, autoencoder, GAN, policy network) or import Keras JSON.</EmptyState>
          </div>
        ) : (
          <table className="w-full text-sm" data-testid="architectures-table">
            <THead>
              <tr>
                <th className="px-5 py-2 font-medium">Name</th>
                <th className="px-5 py-2 font-medium">Kind</th>
                <th className="px-5 py-2 font-medium">Version</th>
                <th className="px-5 py-2 text-right font-medium">Layers</th>
                <th className="px-5 py-2 text-right font-medium">Parameters</th>
                <th className="px-5 py-2 font-medium">Last change</th>
              </tr>
            </THead>
            <tbody className="divide-y divide-slate-100">
              {architectures.map((a) => (
                <tr key={a.id} className="hover:bg-slate-50">
                  <td className="px-5 py-2.5">
                    <Link href={`${base}/architectures/${a.id}`} className="font-medium text-brand-700 hover:underline">
                      {a.name}
                    </Link>
                  </td>
                  <td className="px-5 py-2.5">
                    <Badge>{a.kind}</Badge>
                  </td>
                  <td className="px-5 py-2.5">v{a.latestVersion}</td>
                  <td className="px-5 py-2.5 text-right">{a.layerCount}</td>
                  <td className="px-5 py-2.5 text-right font-mono text-xs">{a.totalParams.toLocaleString()}</td>
                  <td className="max-w-72 truncate px-5 py-2.5 text-slate-500">
                    {a.lastMessage} {a.createdBy ? <span className="text-xs text-slate-400">· {a.createdBy}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
