import { beforeAll, describe, expect, it } from 'vitest';
import { computeFairness } from '@/lib/fairness/metrics';
import { gateInputOf } from '@/lib/fairness/gates';
import { searchRuns } from '@/server/services/run-search';
import { runReport } from '@/server/services/runs';
import { addMember, callerFor, makeStoredRun, makeTeam, makeUser, makeWorkspace } from '../helpers/factories';

/**
 * Team fairness gates: rules stored per team, evaluated when runs are read (so a rule added
 * after a run finished grades it), shown in the runs search rows and the run's report; only
 * admins change them; another team's rules never apply.
 */

// Fairlearn's documented example: selection rates a 0.75, b 0.5, c 0.5 → DP ratio 0.6667,
// DP difference 0.25, EO difference 1.0.
const yTrue = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1];
const yPred = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0];
const group = ['b', 'b', 'a', 'b', 'b', 'c', 'c', 'c', 'a', 'a', 'c', 'a', 'b', 'c', 'c', 'b', 'c', 'c'];
const skewed = gateInputOf(computeFairness({ yTrue, yPred, sensitive: [{ name: 'group', values: group }] }));
// A fair model: every group selected at the same rate and equally accurate.
const fair = gateInputOf(computeFairness({ yTrue: [1, 0, 1, 0, 1, 0], yPred: [1, 0, 1, 0, 1, 0], sensitive: [{ name: 'group', values: ['a', 'a', 'b', 'b', 'c', 'c'] }] }));

let teamId: string;
let projectId: string;
let ids: { skewed: string; fair: string; noReport: string };
let owner: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  owner = await makeUser('Gate Owner');
  const ws = await makeWorkspace({ owner, project: 'Gates' });
  teamId = ws.team.id;
  projectId = ws.project.id;
  const mk = (number: number, name: string, evaluation: object | undefined) => makeStoredRun(ws, { number, name, status: 'SUCCEEDED', ...(evaluation ? { evaluation } : {}) });
  const a = await mk(1, 'skewed', { accuracy: 0.5, fairness: { key: 'x', summary: {}, gates: skewed } });
  const b = await mk(2, 'fair', { accuracy: 1, fairness: { key: 'y', summary: {}, gates: fair } });
  const c = await mk(3, 'no report', { accuracy: 0.9 });
  ids = { skewed: a.id, fair: b.id, noReport: c.id };
});

const gatesOf = async () => {
  const res = await searchRuns({ teamId, projectId, page: 1, pageSize: 50 });
  return Object.fromEntries(res.rows.map((r) => [r.name, r.gates]));
};

describe('fairness gate rules', () => {
  it('shows no gate column data before the team has rules', async () => {
    expect(await gatesOf()).toEqual({ skewed: null, fair: null, 'no report': null });
  });

  it('grades past runs as soon as an admin adds the four-fifths rule', async () => {
    const caller = callerFor(owner);
    const rule = await caller.gates.create({ teamId, name: 'Four-fifths', rule: { metric: 'demographic_parity_ratio', op: '>=', value: 0.8 } });
    expect(rule.description).toBe('demographic_parity_ratio ≥ 0.8');
    const g = await gatesOf();
    expect(g.skewed).toEqual({ status: 'fail', failed: ['demographic_parity_ratio ≥ 0.8: 0.6667'] });
    expect(g.fair).toEqual({ status: 'pass', failed: [] });
    expect(g['no report']).toEqual({ status: 'none', failed: [] });
  });

  it('reports each rule on the run report, with the measured value', async () => {
    const caller = callerFor(owner);
    await caller.gates.create({ teamId, rule: { metric: 'equalized_odds_difference', op: '<=', value: 0.1, attribute: 'group' } });
    const report = await runReport(teamId, ids.skewed);
    expect(report.gates.status).toBe('fail');
    expect(report.gates.results.map((r) => [r.description, r.status, r.value])).toEqual([
      ['demographic_parity_ratio ≥ 0.8', 'fail', expect.closeTo(0.6667, 4)],
      ['equalized_odds_difference ≤ 0.1 (group)', 'fail', 1],
    ]);
    expect((await runReport(teamId, ids.fair)).gates.status).toBe('pass');
  });

  it('marks a rule on a missing attribute as unmeasurable, never as a pass', async () => {
    const caller = callerFor(owner);
    const r = await caller.gates.create({ teamId, rule: { metric: 'demographic_parity_difference', op: '<=', value: 0.5, attribute: 'race' } });
    const g = await gatesOf();
    expect(g.fair?.status).toBe('undefined');
    await caller.gates.setEnabled({ teamId, ruleId: r.id, enabled: false });
    expect((await gatesOf()).fair?.status).toBe('pass');
    await caller.gates.delete({ teamId, ruleId: r.id });
    expect((await caller.gates.list({ teamId })).map((x) => x.description)).toEqual(['demographic_parity_ratio ≥ 0.8', 'equalized_odds_difference ≤ 0.1 (group)']);
  });

  it('lets members read the policy but only admins change it', async () => {
    const member = await addMember(teamId, 'MEMBER');
    const caller = callerFor(member);
    expect((await caller.gates.list({ teamId })).length).toBe(2);
    await expect(caller.gates.create({ teamId, rule: { metric: 'theil_index', op: '<=', value: 0.2 } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const admin = await addMember(teamId, 'ADMIN');
    await expect(callerFor(admin).gates.create({ teamId, rule: { metric: 'theil_index', op: '<=', value: 0.2 } })).resolves.toMatchObject({ enabled: true });
  });

  it('refuses a malformed rule with a message naming the field', async () => {
    const caller = callerFor(owner);
    await expect(caller.gates.create({ teamId, rule: { metric: 'accuracy' as never, op: '>=', value: 0.8 } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/metric/) });
    await expect(caller.gates.create({ teamId, rule: { metric: 'theil_index', op: '>=', value: Number.NaN } })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it("never applies another team's rules, nor lets it change ours", async () => {
    const other = await makeUser('Other Admin');
    const { team: otherTeam } = await makeTeam(other);
    await callerFor(other).gates.create({ teamId: otherTeam.id, rule: { metric: 'demographic_parity_difference', op: '<=', value: 0.0001 } });
    expect((await gatesOf()).fair?.status).toBe('pass');
    const ours = await callerFor(owner).gates.list({ teamId });
    await expect(callerFor(other).gates.delete({ teamId: otherTeam.id, ruleId: ours[0]!.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callerFor(other).gates.delete({ teamId, ruleId: ours[0]!.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
