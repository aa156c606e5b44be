import { DISPARITY_DEFINITIONS, GROUP_METRIC_DEFINITIONS, METHOD_DEFINITIONS, type Definition } from '@/lib/fairness/definitions';

function Rows({ items }: { items: Definition[] }) {
  return (
    <>
      {items.map((d) => (
        <tr key={d.key} className="align-top">
          <td className="py-1 pr-3 font-medium">{d.name}</td>
          <td className="py-1 pr-3 font-mono">{d.formula}</td>
          <td className="py-1 text-slate-500">{d.source}</td>
        </tr>
      ))}
    </>
  );
}

/** Every figure's formula, as in the README's "Fairness formulas" table. */
export function Definitions({ open = false }: { open?: boolean }) {
  return (
    <details className="rounded-md border border-slate-200 p-3 text-xs" open={open} data-testid="fairness-definitions">
      <summary className="cursor-pointer font-medium text-slate-700">How each figure is computed</summary>
      <p className="mt-2 text-slate-500">
        Per group g of a sensitive attribute (or of the intersection of several), from the test split&apos;s confusion counts TP, FP, TN, FN at the decision threshold; SR = selection rate. Differences
        and ratios between groups follow Fairlearn&apos;s MetricFrame; signed comparisons with a privileged group follow AIF360.
      </p>
      <table className="mt-2 w-full">
        <tbody>
          <Rows items={GROUP_METRIC_DEFINITIONS} />
          <Rows items={DISPARITY_DEFINITIONS} />
          <Rows items={METHOD_DEFINITIONS} />
        </tbody>
      </table>
    </details>
  );
}
