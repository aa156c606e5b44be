'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Paradigm } from '@/lib/schemas/runs';
import { useTRPC } from '../../_trpc/client';

/** The paradigm an architecture's kind trains with. */
export const PARADIGM_OF_KIND: Record<string, Paradigm> = { sequential: 'supervised', autoencoder: 'autoencoder', gan: 'gan', policy: 'reinforcement' };

/**
 * What a run (or a sweep's runs) pins: the project's architectures and datasets, the chosen ones
 * (the first of each until the user picks), and the paradigm the architecture implies.
 */
export function useRunPins(teamId: string, projectId: string, initial: { architectureId?: string; datasetId?: string } = {}) {
  const trpc = useTRPC();
  const archs = useQuery(trpc.architectures.list.queryOptions({ teamId, projectId }));
  const datasets = useQuery(trpc.datasets.list.queryOptions({ teamId, projectId }));
  const [architectureId, setArchitectureId] = useState(initial.architectureId ?? '');
  const [datasetId, setDatasetId] = useState(initial.datasetId ?? '');
  useEffect(() => {
    if (!architectureId && archs.data?.[0]) setArchitectureId(archs.data[0].id);
  }, [archs.data, architectureId]);
  useEffect(() => {
    if (!datasetId && datasets.data?.[0]) setDatasetId(datasets.data[0].id);
  }, [datasets.data, datasetId]);
  const arch = archs.data?.find((a) => a.id === architectureId);
  const paradigm: Paradigm = PARADIGM_OF_KIND[arch?.kind ?? 'sequential'] ?? 'supervised';
  return { archs, datasets, architectureId, setArchitectureId, datasetId, setDatasetId, arch, paradigm };
}
