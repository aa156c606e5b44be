'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import { checkArchitecture, formatShape } from '@/lib/arch/infer';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { NetworkDiagram } from '../../../../../../_components/arch/network-diagram';
import { Card, CardHeader } from '../../../../../../_components/ui';

/** The pinned architecture (as a diagram) and dataset version of a run. */
export function RunArchitecture({ spec, title, href, dataset }: { spec: unknown; title: string; href: string; dataset: { name: string; href: string; rows: number; sensitive: string[] } | null }) {
  const summary = useMemo(() => {
    const parsed = ZArchitectureSpec.safeParse(spec);
    if (!parsed.success) return null;
    const check = checkArchitecture(parsed.data);
    return check.ok ? check.summary : null;
  }, [spec]);
  return (
    <Card className="mb-5">
      <CardHeader
        title="What it trained"
        description={
          <>
            <Link className="text-brand-700 hover:underline" href={href}>
              {title}
            </Link>
            {summary ? ` · ${summary.totalParams.toLocaleString()} parameters` : ''}
            {dataset ? (
              <>
                {' · '}
                <Link className="text-brand-700 hover:underline" href={dataset.href}>
                  {dataset.name}
                </Link>{' '}
                ({dataset.rows.toLocaleString()} rows{dataset.sensitive.length ? `, sensitive: ${dataset.sensitive.join(', ')}` : ''})
              </>
            ) : (
              ' · CartPole environment'
            )}
          </>
        }
      />
      {summary ? (
        <div className="overflow-x-auto p-4" data-testid="run-architecture">
          <NetworkDiagram parts={summary.parts.map((p) => ({ part: p.part, nodes: p.layers.map((l) => ({ name: l.name, type: l.type, shape: formatShape(l.outputShape), params: l.params })) }))} />
        </div>
      ) : null}
    </Card>
  );
}
