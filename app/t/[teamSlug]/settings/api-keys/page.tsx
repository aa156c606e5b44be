import type { Metadata } from 'next';
import { can } from '@/lib/roles';
import { PageHeader } from '../../../../_components/ui';
import { loadTeam } from '../../team';
import { ApiKeysPanel } from './api-keys-panel';

export const metadata: Metadata = { title: 'API keys' };

export default async function ApiKeysPage({ params }: { params: Promise<{ teamSlug: string }> }) {
  const { teamSlug } = await params;
  const { team } = await loadTeam(teamSlug);
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Log runs from anywhere — the REST API, the TypeScript SDK or an MLflow client — with <code className="text-xs">Authorization: Bearer KEY</code>. A key acts as you in {team.name}, with your
            role. See the{' '}
            <a className="text-brand-700 hover:underline" href="/docs/api">
              API docs
            </a>
            .
          </>
        }
      />
      <ApiKeysPanel teamId={team.id} canManageAll={can.manageApiKeys(team.role)} />
    </>
  );
}
