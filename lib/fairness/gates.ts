/**
 * Fairness policy gates: rules such as the four-fifths rule
 * `{ metric: 'demographic_parity_ratio', op: '>=', value: 0.8, attribute: 'sex' }` or
 * `{ metric: 'equalized_odds_difference', op: '<=', value: 0.1 }`, checked against a report.
 *
 * - Fairlearn disparities are read from the `method` section (default between_groups) of the
 *   rule's attribute ('sex', or 'sex & race' for the intersection). Without an attribute the
 *   rule is checked on every section and must hold on each; the measured value is the worst.
 * - AIF360 metrics are the `pooled` comparison with the report's reference group; without a
 *   reference they are unmeasurable. An attribute, if given, must be the reference's.
 * - generalized_entropy_index and theil_index are whole-population figures (no attribute).
 * - A metric that is undefined (null, e.g. no group has positives) fails its rule with
 *   status 'undefined': a gate must not pass on missing evidence.
 */
import { z } from 'zod';
import { AIF360_METRICS, DISPARITY_METRICS, type AttributeSection, type FairnessReport, type ReferenceComparison } from './metrics';

export const GATE_METRICS = [
  ...DISPARITY_METRICS,
  'disparate_impact',
  'statistical_parity_difference',
  'average_odds_difference',
  'aif360_equal_opportunity_difference',
  'generalized_entropy_index',
  'theil_index',
] as const;

export const ZFairnessGate = z.object({
  metric: z.enum(GATE_METRICS),
  op: z.enum(['<', '<=', '>', '>=']),
  value: z.number().refine(Number.isFinite, 'value must be finite'),
  attribute: z.string().min(1).optional(),
  method: z.enum(['between_groups', 'to_overall']).optional(),
});
export type FairnessGate = z.infer<typeof ZFairnessGate>;
export const ZFairnessGates = z.array(ZFairnessGate);

export interface GateCheck {
  attribute: string | null;
  value: number | null;
  passed: boolean;
}

export interface GateResult {
  rule: FairnessGate;
  status: 'pass' | 'fail' | 'undefined';
  passed: boolean;
  /** The measured value (the worst over the checked sections); null when unmeasurable. */
  value: number | null;
  checks: GateCheck[];
  /** Why a rule could not be measured. */
  reason?: string;
}

/**
 * What gates read of a report: the disparities per section, the reference comparison's pooled
 * figures and the individual indices. Small enough to keep on the run row, so a team's rules
 * (which change after runs finish) are evaluated when the runs table is read, never stale.
 */
export interface GateInput {
  attributes: Pick<AttributeSection, 'attribute' | 'between_groups' | 'to_overall'>[];
  reference: Pick<ReferenceComparison, 'attribute' | 'reference' | 'pooled'> | null;
  individual: FairnessReport['individual'];
}

export function gateInputOf(report: GateInput): GateInput {
  return {
    attributes: report.attributes.map((s) => ({ attribute: s.attribute, between_groups: s.between_groups, to_overall: s.to_overall })),
    reference: report.reference ? { attribute: report.reference.attribute, reference: report.reference.reference, pooled: report.reference.pooled } : null,
    individual: report.individual,
  };
}

/** A rule in words: "demographic_parity_ratio ≥ 0.8 (sex)". */
export function describeGate(rule: FairnessGate): string {
  const op = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' }[rule.op];
  const scope = [rule.attribute, rule.method === 'to_overall' ? 'to overall' : null].filter(Boolean).join(', ');
  return `${rule.metric} ${op} ${rule.value}${scope ? ` (${scope})` : ''}`;
}

export type GateStatus = 'pass' | 'fail' | 'undefined';

/** A run's status under a set of rules: fail beats undefined beats pass; null without rules. */
export function overallGateStatus(results: readonly GateResult[]): GateStatus | null {
  if (!results.length) return null;
  if (results.some((r) => r.status === 'fail')) return 'fail';
  if (results.some((r) => r.status === 'undefined')) return 'undefined';
  return 'pass';
}

const compare = (value: number, op: FairnessGate['op'], bound: number): boolean => (op === '<' ? value < bound : op === '<=' ? value <= bound : op === '>' ? value > bound : value >= bound);

export function evaluateGate(report: GateInput, rule: FairnessGate): GateResult {
  const undefinedResult = (reason: string, checks: GateCheck[] = []): GateResult => ({ rule, status: 'undefined', passed: false, value: null, checks, reason });
  let checks: GateCheck[];
  if ((DISPARITY_METRICS as readonly string[]).includes(rule.metric)) {
    const metric = rule.metric as (typeof DISPARITY_METRICS)[number];
    const sections = rule.attribute === undefined ? report.attributes : report.attributes.filter((s) => s.attribute === rule.attribute);
    if (sections.length === 0) return undefinedResult(`'${rule.attribute}' is not a sensitive attribute of this report`);
    const method = rule.method ?? 'between_groups';
    checks = sections.map((s) => ({ attribute: s.attribute, value: s[method][metric], passed: false }));
  } else if (rule.metric === 'generalized_entropy_index' || rule.metric === 'theil_index') {
    checks = [{ attribute: null, value: report.individual[rule.metric], passed: false }];
  } else {
    const ref = report.reference;
    if (!ref) return undefinedResult(`${rule.metric} needs a reference (privileged) group`);
    if (rule.attribute !== undefined && rule.attribute !== ref.attribute) {
      return undefinedResult(`the reference group is in '${ref.attribute}', not '${rule.attribute}'`);
    }
    const key = rule.metric === 'aif360_equal_opportunity_difference' ? 'equal_opportunity_difference' : rule.metric;
    if (!(AIF360_METRICS as readonly string[]).includes(key)) throw new Error(`unhandled gate metric ${rule.metric}`);
    checks = [{ attribute: ref.attribute, value: ref.pooled[key as (typeof AIF360_METRICS)[number]], passed: false }];
  }
  for (const c of checks) c.passed = c.value !== null && !Number.isNaN(c.value) && compare(c.value, rule.op, rule.value);
  if (checks.some((c) => c.value === null || Number.isNaN(c.value))) return undefinedResult(`${rule.metric} is undefined on this data`, checks);
  const values = checks.map((c) => c.value!);
  const worst = rule.op === '<' || rule.op === '<=' ? Math.max(...values) : Math.min(...values);
  const passed = checks.every((c) => c.passed);
  return { rule, status: passed ? 'pass' : 'fail', passed, value: worst, checks };
}

export function evaluateGates(report: GateInput, rules: readonly FairnessGate[]): { passed: boolean; results: GateResult[] } {
  const results = rules.map((rule) => evaluateGate(report, rule));
  return { passed: results.every((r) => r.passed), results };
}
