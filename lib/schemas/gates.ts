import { z } from 'zod';
import { ZFairnessGate } from '@/lib/fairness/gates';

/** A team's fairness gate rule as the policy page creates it. */
export const ZGateRuleInput = z.object({
  name: z.string().trim().max(120).optional(),
  rule: ZFairnessGate,
});
export type GateRuleInput = z.input<typeof ZGateRuleInput>;

export const ZGateRuleRef = z.object({ ruleId: z.string().min(1) });

/** Named rules a team can add with one click. */
export const GATE_PRESETS: { name: string; rule: z.infer<typeof ZFairnessGate> }[] = [
  { name: 'Four-fifths rule', rule: { metric: 'demographic_parity_ratio', op: '>=', value: 0.8 } },
  { name: 'Equalized odds within 0.1', rule: { metric: 'equalized_odds_difference', op: '<=', value: 0.1 } },
  { name: 'Equal opportunity within 0.05', rule: { metric: 'equal_opportunity_difference', op: '<=', value: 0.05 } },
];
