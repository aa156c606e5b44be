import type { Prisma } from '@prisma/client';
import { prisma, sql } from '@/lib/db/client';
import { describeGate, evaluateGates, overallGateStatus, ZFairnessGate, type FairnessGate, type GateInput, type GateResult, type GateStatus } from '@/lib/fairness/gates';
import { ZGateRuleInput, type GateRuleInput } from '@/lib/schemas/gates';
import { recordAudit } from './audit';
import { notFound } from './errors';

/**
 * A team's fairness policy: gate rules checked against every run's fairness report. Runs keep
 * the small part of their report that gates read (evaluation.fairness.gates, lib/fairness/gates
 * GateInput); rules are evaluated when runs are read, so changing a rule re-grades past runs.
 */

export interface GateRuleRow {
  id: string;
  name: string;
  rule: FairnessGate;
  description: string;
  enabled: boolean;
  createdAt: Date;
  createdBy: { id: string; name: string } | null;
}

export async function listGateRules(teamId: string, opts: { enabledOnly?: boolean } = {}): Promise<GateRuleRow[]> {
  // Read on every runs-table query: one plain, prepared query.
  const rows = await sql<{ id: string; name: string; rule: unknown; enabled: boolean; createdAt: Date; createdById: string | null; createdByName: string | null }>(
    `SELECT g.id, g.name, g.rule, g.enabled, g."createdAt", u.id AS "createdById", u.name AS "createdByName"
     FROM "FairnessGateRule" g LEFT JOIN "User" u ON u.id = g."createdById"
     WHERE g."teamId" = $1 AND (g.enabled OR NOT $2)
     ORDER BY g."createdAt" ASC, g.id ASC`,
    [teamId, opts.enabledOnly ?? false],
    { name: 'gate-rules' },
  );
  return rows.flatMap((r) => {
    const parsed = ZFairnessGate.safeParse(r.rule);
    if (!parsed.success) return [];
    const createdBy = r.createdById ? { id: r.createdById, name: r.createdByName! } : null;
    return [{ id: r.id, name: r.name, rule: parsed.data, description: describeGate(parsed.data), enabled: r.enabled, createdAt: r.createdAt, createdBy }];
  });
}

export async function createGateRule(teamId: string, userId: string, input: GateRuleInput): Promise<GateRuleRow> {
  const data = ZGateRuleInput.parse(input);
  const name = data.name?.trim() || describeGate(data.rule);
  const row = await prisma.$transaction(async (tx) => {
    const row = await tx.fairnessGateRule.create({
      data: { teamId, createdById: userId, name, rule: data.rule as Prisma.InputJsonValue },
      include: { createdBy: { select: { id: true, name: true } } },
    });
    await recordAudit(tx, { teamId, actorId: userId, action: 'gate.created', targetType: 'gate_rule', targetId: row.id, details: { name, rule: data.rule } });
    return row;
  });
  return { id: row.id, name: row.name, rule: data.rule, description: describeGate(data.rule), enabled: row.enabled, createdAt: row.createdAt, createdBy: row.createdBy };
}

export async function setGateRuleEnabled(teamId: string, ruleId: string, enabled: boolean, actorId: string | null = null) {
  return prisma.$transaction(async (tx) => {
    const rule = await tx.fairnessGateRule.findFirst({ where: { id: ruleId, teamId }, select: { name: true } });
    if (!rule) throw notFound('Gate rule');
    await tx.fairnessGateRule.update({ where: { id: ruleId }, data: { enabled } });
    await recordAudit(tx, { teamId, actorId, action: enabled ? 'gate.enabled' : 'gate.disabled', targetType: 'gate_rule', targetId: ruleId, details: { name: rule.name } });
    return { id: ruleId, enabled };
  });
}

export async function deleteGateRule(teamId: string, ruleId: string, actorId: string | null = null) {
  return prisma.$transaction(async (tx) => {
    const rule = await tx.fairnessGateRule.findFirst({ where: { id: ruleId, teamId }, select: { name: true, rule: true } });
    if (!rule) throw notFound('Gate rule');
    await tx.fairnessGateRule.delete({ where: { id: ruleId } });
    await recordAudit(tx, { teamId, actorId, action: 'gate.deleted', targetType: 'gate_rule', targetId: ruleId, details: { name: rule.name, rule: rule.rule } });
    return { id: ruleId };
  });
}

export interface RunGates {
  /** null: the team has no enabled rules. 'none': the run has no fairness report to check. */
  status: GateStatus | 'none' | null;
  results: (GateResult & { ruleId: string; name: string; description: string })[];
}

/** Grades one run's gate input against rules (already loaded, so a page of runs costs one query). */
export function gradeRun(rules: readonly GateRuleRow[], input: GateInput | null | undefined): RunGates {
  if (!rules.length) return { status: null, results: [] };
  if (!input || !Array.isArray(input.attributes)) return { status: 'none', results: [] };
  const { results } = evaluateGates(
    input,
    rules.map((r) => r.rule),
  );
  return {
    status: overallGateStatus(results),
    results: results.map((r, i) => ({ ...r, ruleId: rules[i]!.id, name: rules[i]!.name, description: rules[i]!.description })),
  };
}
