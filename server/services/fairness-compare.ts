import { prisma } from '@/lib/db/client';
import { gateInputOf, type GateInput } from '@/lib/fairness/gates';
import { DISPARITY_METRICS } from '@/lib/fairness/metrics';
import { loadRunReports } from '@/lib/runs/reports';
import { gradeRun, listGateRules } from './gates';
import { notFound } from './errors';

/**
 * Fairness reports side by side: per run its test accuracy and every Fairlearn disparity of each
 * sensitive attribute, the bootstrap interval where the report has one, the post-processed
 * variants (what per-group thresholds would give, as extra candidate points), and the team's
 * gate status. The compare view plots accuracy against a chosen disparity with the Pareto front.
 */

export type DisparityMetric = (typeof DISPARITY_METRICS)[number];

export interface FairnessPoint {
  /** The run's own model, or one of its post-processed variants. */
  variant: 'model' | 'demographic_parity' | 'equal_opportunity';
  accuracy: number | null;
  /** attribute → metric → value (between groups). */
  disparities: Record<string, Partial<Record<DisparityMetric, number | null>>>;
  /** attribute → metric → [lower, upper], the model's own variant only. */
  intervals: Record<string, Partial<Record<DisparityMetric, [number, number]>>>;
}

export interface RunFairnessSummary {
  id: string;
  number: number;
  name: string;
  createdBy: string | null;
  hasReport: boolean;
  attributes: string[];
  points: FairnessPoint[];
  gates: ReturnType<typeof gradeRun>;
}

function disparitiesOf(input: GateInput): FairnessPoint['disparities'] {
  const out: FairnessPoint['disparities'] = {};
  for (const s of input.attributes) {
    out[s.attribute] = Object.fromEntries(DISPARITY_METRICS.map((m) => [m, s.between_groups[m] ?? null]));
  }
  return out;
}

export async function compareFairness(teamId: string, runIds: string[]): Promise<RunFairnessSummary[]> {
  const ids = [...new Set(runIds)];
  const runs = await prisma.run.findMany({
    where: { teamId, id: { in: ids } },
    select: { id: true, number: true, name: true, evaluation: true, createdBy: { select: { name: true } } },
  });
  if (runs.length !== ids.length) throw notFound('Run');
  const rules = await listGateRules(teamId, { enabledOnly: true });
  const byId = new Map(runs.map((r) => [r.id, r]));
  return Promise.all(
    ids.map(async (id) => {
      const run = byId.get(id)!;
      const loaded = await loadRunReports({ evaluation: run.evaluation }, { explain: false });
      const input = loaded.gateInput;
      const stored = loaded.fairness?.task === 'binary' ? loaded.fairness : null;
      const top = loaded.evaluation && 'accuracy' in loaded.evaluation ? loaded.evaluation.accuracy : null;
      const points: FairnessPoint[] = [];
      if (input) {
        const intervals: FairnessPoint['intervals'] = {};
        for (const i of stored?.bootstrap?.intervals ?? []) {
          // ['attributes', attribute, 'between_groups', metric]
          if (i.path.length === 4 && i.path[2] === 'between_groups' && i.lower !== null && i.upper !== null) {
            (intervals[i.path[1]!] ??= {})[i.path[3] as DisparityMetric] = [i.lower, i.upper];
          }
        }
        points.push({ variant: 'model', accuracy: typeof top === 'number' ? top : (stored?.report.overall.accuracy ?? null), disparities: disparitiesOf(input), intervals });
        for (const variant of ['demographic_parity', 'equal_opportunity'] as const) {
          const after = stored?.mitigation?.[variant]?.after;
          if (after?.attributes) points.push({ variant, accuracy: after.overall.accuracy ?? null, disparities: disparitiesOf(gateInputOf(after)), intervals: {} });
        }
      }
      return {
        id: run.id,
        number: run.number,
        name: run.name,
        createdBy: run.createdBy?.name ?? null,
        hasReport: input !== null,
        attributes: input?.attributes.map((a) => a.attribute) ?? [],
        points,
        gates: gradeRun(rules, input),
      };
    }),
  );
}
