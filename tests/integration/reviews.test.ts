import type { Prisma } from '@prisma/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactStore } from '@/lib/artifacts/store';
import { prisma } from '@/lib/db/client';
import { bootstrapFairness } from '@/lib/fairness/bootstrap';
import { gateInputOf } from '@/lib/fairness/gates';
import { computeFairness } from '@/lib/fairness/metrics';
import { modelCardMarkdown } from '@/lib/model-card';
import { createInvitation, acceptInvitation, revokeInvitation } from '@/server/services/invitations';
import { changeRole, removeMember } from '@/server/services/teams';
import { addMember, callerFor, makeStoredRun, makeUser, makeWorkspace, uid, type Workspace } from '../helpers/factories';

/**
 * Reviewing fairness reports as a team: the review state machine (decisions pinned to the
 * checkpoint, dataset version and report they were made on; stale after a new checkpoint or
 * report), who may decide (not viewers, not a run's author, not someone who was not asked unless
 * an admin), comments with mentions and replies, notifications, model cards, and the audit
 * trail that records every action and that the database refuses to change.
 */

// Fairlearn's documented example: selection rates a 0.75, b 0.5, c 0.5 → DP ratio 0.6667.
const yTrue = [0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1];
const yPred = [0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0];
const group = ['b', 'b', 'a', 'b', 'b', 'c', 'c', 'c', 'a', 'a', 'c', 'a', 'b', 'c', 'c', 'b', 'c', 'c'];

async function storeReport(key: string, seed = 1) {
  const input = { yTrue, yPred, sensitive: [{ name: 'group', values: group }] };
  const report = computeFairness(input);
  const boot = bootstrapFairness(input, { resamples: 40, seed, confidence: 0.95 });
  const stored = {
    version: 1,
    task: 'binary',
    threshold: 0.5,
    report,
    bootstrap: { resamples: boot.resamples, seed, confidence: boot.confidence, intervals: boot.intervals },
    gates: gateInputOf(report),
    summary: {},
  };
  await artifactStore().put(key, Buffer.from(JSON.stringify(stored)));
  return JSON.parse(JSON.stringify({ key, summary: {}, gates: gateInputOf(report) })) as Prisma.InputJsonObject;
}

type U = Awaited<ReturnType<typeof makeUser>>;
let ws: Workspace;
let teamId: string;
let projectId: string;
let datasetVersionId: string;
let owner: U, author: U, reviewer: U, reviewer2: U, viewer: U, admin: U;
let runId: string;
let runNumber = 0;

async function makeRun(by: U, opts: { status?: 'SUCCEEDED' | 'RUNNING' } = {}) {
  const key = `runs/${uid('r')}/fairness.json`;
  const fairness = await storeReport(key);
  const run = await makeStoredRun(ws, {
    number: ++runNumber,
    name: `run ${runNumber}`,
    status: opts.status ?? 'SUCCEEDED',
    config: { epochs: 2, batchSize: 8, sampleWeights: true },
    createdById: by.id,
    datasetVersionId,
    evaluation: { accuracy: 0.5, fairness },
  });
  await prisma.checkpoint.create({ data: { runId: run.id, epoch: 2, kind: 'best', key: `runs/${run.id}/ckpt-2` } });
  return run;
}

const actionsOf = async (targetId?: string) => (await prisma.auditEvent.findMany({ where: { teamId, ...(targetId ? { targetId } : {}) }, orderBy: { id: 'asc' } })).map((e) => e.action);

beforeAll(async () => {
  owner = await makeUser('Olga Owner');
  ws = await makeWorkspace({ owner, project: 'Credit' });
  teamId = ws.team.id;
  projectId = ws.project.id;
  author = await addMember(teamId, 'MEMBER', await makeUser('Ada Author'));
  reviewer = await addMember(teamId, 'MEMBER', await makeUser('Rui Reviewer'));
  reviewer2 = await addMember(teamId, 'MEMBER', await makeUser('Rita Second'));
  viewer = await addMember(teamId, 'VIEWER', await makeUser('Vera Viewer'));
  admin = await addMember(teamId, 'ADMIN', await makeUser('Adam Admin'));
  const dataset = await prisma.dataset.create({ data: { teamId, projectId, name: 'Loans', kind: 'tabular', createdById: owner.id } });
  const dv = await prisma.datasetVersion.create({
    data: {
      datasetId: dataset.id,
      version: 1,
      source: { kind: 'csv' },
      schema: {},
      labelColumn: 'approved',
      sensitiveColumns: ['group'],
      rowCount: 18,
      profile: {},
      split: { train: 0.7 },
      artifacts: {},
    },
  });
  datasetVersionId = dv.id;
  runId = (await makeRun(author)).id;
});

describe('review requests', () => {
  let reviewId: string;

  it('lets the author request a review from members, notifies them and records it', async () => {
    const review = await callerFor(author).reviews.request({ teamId, runIds: [runId], reviewerIds: [reviewer.id, reviewer2.id], message: 'Please check the DP gap on group c' });
    reviewId = review.id;
    expect(review.state).toBe('pending');
    expect(review.title).toMatch(/^Review of run #1/);
    expect(review.reviewers.map((r) => [r.name, r.awaiting])).toEqual([
      ['Rui Reviewer', true],
      ['Rita Second', true],
    ]);
    expect(review.runs[0]!.current.checkpointId).toBeTruthy();
    expect(review.runs[0]!.current.reportHash).toMatch(/^[0-9a-f]{64}$/);
    const note = await callerFor(reviewer).notifications.list({ teamId });
    expect(note.unread).toBe(1);
    expect(note.items[0]).toMatchObject({ kind: 'review_requested', title: expect.stringContaining('Ada Author requested your review'), link: expect.stringContaining(`/runs/${runId}#review`) });
    expect((await callerFor(reviewer).reviews.pending({ teamId })).map((r) => r.id)).toEqual([reviewId]);
    expect(await callerFor(author).reviews.pending({ teamId })).toEqual([]);
    expect(await actionsOf(reviewId)).toEqual(['review.requested']);
  });

  it('refuses viewers, viewer reviewers, the run author as reviewer, outsiders and unfinished runs', async () => {
    await expect(callerFor(viewer).reviews.request({ teamId, runIds: [runId], reviewerIds: [reviewer.id] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(author).reviews.request({ teamId, runIds: [runId], reviewerIds: [viewer.id] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Vera Viewer is a viewer: viewers can comment but not review',
    });
    await expect(callerFor(owner).reviews.request({ teamId, runIds: [runId], reviewerIds: [author.id] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Ada Author authored run #1 and cannot review it',
    });
    const stranger = await makeUser('Stranger');
    await expect(callerFor(author).reviews.request({ teamId, runIds: [runId], reviewerIds: [stranger.id] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const running = await makeRun(author, { status: 'RUNNING' });
    await expect(callerFor(author).reviews.request({ teamId, runIds: [running.id], reviewerIds: [reviewer.id] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('has not finished'),
    });
    await expect(callerFor(author).reviews.request({ teamId, runIds: [runId], reviewerIds: [] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('at least one reviewer'),
    });
  });

  describe('comments on report sections', () => {
    let threadId: string;
    it('lets a viewer comment on a disparity, mentioning the author', async () => {
      const c = await callerFor(viewer).comments.add({
        teamId,
        runId,
        anchor: { kind: 'disparity', key: 'group/demographic_parity_difference' },
        body: '@Ada Author the **DP gap** of 0.25 for group c looks large <script>alert(1)</script>',
      });
      threadId = c.threadId;
      expect(c.mentionIds).toEqual([author.id]);
      const n = await callerFor(author).notifications.list({ teamId });
      expect(n.items[0]).toMatchObject({ kind: 'mention', title: expect.stringContaining('Vera Viewer mentioned you on run #1') });
    });

    it('threads the author’s reply under it, keeps its anchor and notifies the thread', async () => {
      await callerFor(author).comments.add({ teamId, runId, parentId: threadId, body: 'Agreed, see the post-processing below; @rui is not a member name so nobody else is pinged' });
      const threads = await callerFor(reviewer).comments.list({ teamId, runId });
      expect(threads).toHaveLength(1);
      expect(threads[0]).toMatchObject({ anchor: { kind: 'disparity', key: 'group/demographic_parity_difference' }, resolved: false, author: { name: 'Vera Viewer' } });
      expect(threads[0]!.replies.map((r) => r.author.name)).toEqual(['Ada Author']);
      expect((await callerFor(viewer).notifications.list({ teamId })).items[0]).toMatchObject({ kind: 'reply' });
    });

    it('lets the thread author (a viewer) resolve it, but not a viewer on someone else’s thread', async () => {
      const other = await callerFor(reviewer).comments.add({ teamId, runId, anchor: { kind: 'group-row', key: 'group/c' }, body: 'n is small here' });
      await expect(callerFor(viewer).comments.setResolved({ teamId, commentId: other.id, resolved: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await callerFor(viewer).comments.setResolved({ teamId, commentId: threadId, resolved: true });
      const threads = await callerFor(owner).comments.list({ teamId, runId });
      expect(threads.find((t) => t.id === threadId)).toMatchObject({ resolved: true, resolvedBy: 'Vera Viewer' });
      expect(await actionsOf(threadId)).toEqual(['comment.created', 'comment.resolved']);
    });

    it('refuses empty comments and replies across runs', async () => {
      await expect(callerFor(viewer).comments.add({ teamId, runId, body: '   ' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('Write a comment') });
      const otherRun = await makeRun(author);
      await expect(callerFor(viewer).comments.add({ teamId, runId: otherRun.id, parentId: threadId, body: 'x' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    });
  });

  describe('decisions', () => {
    it('refuses viewers, non-requested members and the author, and records nothing when refused', async () => {
      const before = (await actionsOf()).length;
      await expect(callerFor(viewer).reviews.decide({ teamId, reviewId, verdict: 'APPROVE' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const bystander = await addMember(teamId, 'MEMBER');
      await expect(callerFor(bystander).reviews.decide({ teamId, reviewId, verdict: 'APPROVE' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('requested reviewers') });
      await expect(callerFor(author).reviews.decide({ teamId, reviewId, verdict: 'APPROVE' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect((await actionsOf()).length).toBe(before);
    });

    it('never lets a run’s author approve it, even an admin', async () => {
      const adminRun = await makeRun(admin);
      const r = await callerFor(reviewer).reviews.request({ teamId, runIds: [adminRun.id], reviewerIds: [reviewer2.id] });
      await expect(callerFor(admin).reviews.decide({ teamId, reviewId: r.id, verdict: 'APPROVE' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: `You authored run #${adminRun.number}: the author of a run cannot decide on it`,
      });
      // Another admin, not requested, may decide.
      await expect(callerFor(owner).reviews.decide({ teamId, reviewId: r.id, verdict: 'APPROVE' })).resolves.toMatchObject({ state: 'approved' });
    });

    it('requires a justification when the run fails the team’s fairness policy', async () => {
      await callerFor(owner).gates.create({ teamId, name: 'Four-fifths', rule: { metric: 'demographic_parity_ratio', op: '>=', value: 0.8 } });
      await expect(callerFor(reviewer).reviews.decide({ teamId, reviewId, verdict: 'APPROVE' })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringContaining("fails the team's fairness policy (demographic_parity_ratio ≥ 0.8"),
      });
      const r = await callerFor(reviewer).reviews.decide({ teamId, reviewId, verdict: 'APPROVE', justification: 'Accepted for the pilot: post-processing brings DP within 0.05.' });
      expect(r.state).toBe('approved');
      const d = r.runs[0]!.decisions[0]!;
      expect(d).toMatchObject({ verdict: 'APPROVE', stale: false, gateStatus: 'fail', checkpointId: r.runs[0]!.current.checkpointId, datasetVersionId, reportHash: r.runs[0]!.current.reportHash });
      expect((await callerFor(author).notifications.list({ teamId })).items[0]).toMatchObject({ kind: 'decision', title: expect.stringContaining('Rui Reviewer: approved on run #1') });
      expect(await callerFor(reviewer).reviews.pending({ teamId })).toEqual([]);
    });

    it('marks the approval stale after a new checkpoint, back to pending until re-approved', async () => {
      await prisma.checkpoint.create({ data: { runId, epoch: 3, kind: 'epoch', key: `runs/${runId}/ckpt-3`, createdAt: new Date(Date.now() + 1000) } });
      const r = await callerFor(author).reviews.get({ teamId, reviewId });
      expect(r.state).toBe('pending');
      expect(r.runs[0]).toMatchObject({ state: 'pending', staleApprovals: true });
      expect(r.runs[0]!.decisions[0]).toMatchObject({ verdict: 'APPROVE', stale: true, staleReasons: ['new checkpoint'] });
      expect((await callerFor(reviewer).reviews.pending({ teamId })).map((x) => x.id)).toEqual([reviewId]);
      const again = await callerFor(reviewer).reviews.decide({ teamId, reviewId, verdict: 'APPROVE', justification: 'Re-checked on epoch 3.' });
      expect(again.state).toBe('approved');
      expect(again.runs[0]!.history).toHaveLength(2);
    });

    it('marks it stale when the report changes, and when the dataset version changes', async () => {
      const run = await prisma.run.findUniqueOrThrow({ where: { id: runId } });
      const ev = run.evaluation as { fairness: { key: string } };
      // Same key, different bytes (a recomputed report with another bootstrap seed).
      await storeReport(ev.fairness.key, 7);
      let r = await callerFor(author).reviews.get({ teamId, reviewId });
      expect(r.runs[0]!.decisions[0]).toMatchObject({ stale: true, staleReasons: ['report changed'] });
      expect(r.state).toBe('pending');
      await callerFor(reviewer).reviews.decide({ teamId, reviewId, verdict: 'APPROVE', justification: 'ok' });
      const dv2 = await prisma.datasetVersion.create({
        data: {
          datasetId: (await prisma.datasetVersion.findUniqueOrThrow({ where: { id: datasetVersionId } })).datasetId,
          version: 2,
          source: {},
          schema: {},
          rowCount: 1,
          profile: {},
          split: {},
          artifacts: {},
        },
      });
      await prisma.run.update({ where: { id: runId }, data: { datasetVersionId: dv2.id } });
      r = await callerFor(author).reviews.get({ teamId, reviewId });
      expect(r.runs[0]!.decisions[0]!.staleReasons).toEqual(['dataset version changed']);
      await prisma.run.update({ where: { id: runId }, data: { datasetVersionId } });
      expect((await callerFor(author).reviews.get({ teamId, reviewId })).state).toBe('approved');
    });

    it('derives the state: a change request outranks an approval, a rejection outranks both', async () => {
      let r = await callerFor(reviewer2).reviews.decide({ teamId, reviewId, verdict: 'REQUEST_CHANGES', justification: 'Retrain with reweighing' });
      expect(r.state).toBe('changes_requested');
      r = await callerFor(admin).reviews.decide({ teamId, reviewId, verdict: 'REJECT', justification: 'Not for production' });
      expect(r.state).toBe('rejected');
      r = await callerFor(admin).reviews.decide({ teamId, reviewId, verdict: 'APPROVE', justification: 'Changed my mind after the call' });
      expect(r.state).toBe('changes_requested');
      r = await callerFor(reviewer2).reviews.decide({ teamId, reviewId, verdict: 'APPROVE', justification: 'Fine' });
      expect(r.state).toBe('approved');
    });

    it('closes and reopens (author or admin only); no decisions on a closed review', async () => {
      await expect(callerFor(reviewer).reviews.setOpen({ teamId, reviewId, open: false })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect((await callerFor(author).reviews.setOpen({ teamId, reviewId, open: false })).state).toBe('closed');
      await expect(callerFor(reviewer).reviews.decide({ teamId, reviewId, verdict: 'APPROVE', justification: 'x' })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringContaining('closed'),
      });
      expect((await callerFor(admin).reviews.setOpen({ teamId, reviewId, open: true })).state).toBe('approved');
    });
  });

  it('builds the model card with intervals, gates, mitigation and the decisions; only members edit it', async () => {
    await expect(callerFor(viewer).modelCards.update({ teamId, runId, intendedUse: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const card = await callerFor(author).modelCards.update({ teamId, runId, intendedUse: 'Pre-screening of loan applications with human review.', caveats: 'Small test split.' });
    expect(card.intendedUse).toMatch(/Pre-screening/);
    expect(card.modelDetails.trainingData).toMatchObject({ name: 'Loans', version: 1, sensitive: ['group'] });
    expect(card.modelDetails.hyperparameters).toMatchObject({ epochs: 2, batchSize: 8 });
    expect(card.mitigation.reweighing).toBe(true);
    expect(card.gates.status).toBe('fail');
    const section = card.quantitative!.sections[0]!;
    expect(section.attribute).toBe('group');
    const sel = section.groups.find((g) => g.group === 'a')!.metrics.find((m) => m.key === 'selection_rate')!;
    expect(sel.value).toBeCloseTo(0.75);
    expect(sel.ci!.lower).toBeLessThanOrEqual(0.75);
    expect(card.decisions.map((d) => [d.reviewer, d.verdict, d.stale])).toEqual(
      expect.arrayContaining([
        ['Rui Reviewer', 'APPROVE', false],
        ['Rita Second', 'APPROVE', false],
      ]),
    );
    const md = modelCardMarkdown(card);
    expect(md).toContain('## Review decisions');
    expect(md).toContain('Rui Reviewer approved');
    expect(md).toContain('Pre-screening of loan applications');
    expect(await actionsOf(runId)).toContain('model_card.updated');
  });

  it('marks notifications read, only the caller’s own', async () => {
    const before = await callerFor(reviewer).notifications.unread({ teamId });
    expect(before).toBeGreaterThan(0);
    const { items } = await callerFor(author).notifications.list({ teamId });
    expect((await callerFor(reviewer).notifications.markRead({ teamId, ids: items.map((i) => i.id) })).marked).toBe(0);
    await callerFor(reviewer).notifications.markRead({ teamId });
    expect(await callerFor(reviewer).notifications.unread({ teamId })).toBe(0);
    expect(await callerFor(author).notifications.unread({ teamId })).toBeGreaterThan(0);
  });
});

describe('audit trail', () => {
  it('records gate, role, member and invitation changes too', async () => {
    const rules = await callerFor(owner).gates.list({ teamId });
    await callerFor(owner).gates.setEnabled({ teamId, ruleId: rules[0]!.id, enabled: false });
    await callerFor(owner).gates.delete({ teamId, ruleId: rules[0]!.id });
    const temp = await addMember(teamId, 'VIEWER');
    await changeRole({ teamId, actorId: owner.id, actorRole: 'OWNER', userId: temp.id, role: 'MEMBER' });
    await removeMember({ teamId, actorId: owner.id, actorRole: 'OWNER', userId: temp.id });
    const invitee = await makeUser('Ivy Invitee');
    const inv = await createInvitation({ teamId, inviterId: owner.id, inviterRole: 'OWNER', input: { email: invitee.email, role: 'VIEWER' } });
    await acceptInvitation({ userId: invitee.id, token: inv.path.split('/').pop()! });
    const other = await createInvitation({ teamId, inviterId: admin.id, inviterRole: 'ADMIN', input: { email: 'later@example.test', role: 'MEMBER' } });
    await revokeInvitation({ teamId, actorRole: 'ADMIN', invitationId: other.id, actorId: admin.id });
    const events = (await callerFor(owner).audit.list({ teamId, limit: 200 })).events;
    const actions = events.map((e) => e.action);
    for (const a of ['gate.created', 'gate.disabled', 'gate.deleted', 'member.role_changed', 'member.removed', 'invitation.created', 'invitation.accepted', 'invitation.revoked'])
      expect(actions).toContain(a);
    expect(events.find((e) => e.action === 'member.role_changed')).toMatchObject({ actor: { name: 'Olga Owner' }, targetId: temp.id, details: { from: 'VIEWER', to: 'MEMBER' } });
    expect(events.find((e) => e.action === 'invitation.accepted')).toMatchObject({ actor: { name: 'Ivy Invitee' } });
  });

  it('has an entry for every review action, with who and what', async () => {
    const events = (await callerFor(admin).audit.list({ teamId, action: 'review.decided', limit: 200 })).events;
    // Decisions made above: 1 (admin's run) + 2 approvals by Rui + re-approve + 4 in the state test.
    expect(events.length).toBe(8);
    expect(events.every((e) => e.details.verdict && 'reportHash' in e.details && 'checkpointId' in e.details)).toBe(true);
    const counts = (await prisma.auditEvent.groupBy({ by: ['action'], where: { teamId }, _count: true })).reduce<Record<string, number>>((o, g) => ((o[g.action] = g._count), o), {});
    expect(counts).toMatchObject({ 'review.requested': 2, 'comment.created': 3, 'comment.resolved': 1, 'review.closed': 1, 'review.reopened': 1, 'model_card.updated': 1 });
  });

  it('filters by actor, action prefix and date, newest first, with a cursor', async () => {
    const caller = callerFor(owner);
    const byViewer = await caller.audit.list({ teamId, actorId: viewer.id });
    expect(new Set(byViewer.events.map((e) => e.action))).toEqual(new Set(['comment.created', 'comment.resolved']));
    const comments = await caller.audit.list({ teamId, action: 'comment.*' });
    expect(comments.events.every((e) => e.action.startsWith('comment.'))).toBe(true);
    const today = new Date().toISOString().slice(0, 10);
    expect((await caller.audit.list({ teamId, from: today, to: today })).events.length).toBeGreaterThan(10);
    expect((await caller.audit.list({ teamId, to: '2020-01-01' })).events).toEqual([]);
    const p1 = await caller.audit.list({ teamId, limit: 3 });
    const p2 = await caller.audit.list({ teamId, limit: 3, cursor: p1.nextCursor! });
    expect(BigInt(p2.events[0]!.id)).toBeLessThan(BigInt(p1.events[2]!.id));
    const filters = await caller.audit.filters({ teamId });
    expect(filters.actors.map((a) => a.name)).toContain('Vera Viewer');
  });

  it('is for admins and owners only', async () => {
    await expect(callerFor(reviewer).audit.list({ teamId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('is append-only in the database: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const first = await prisma.auditEvent.findFirstOrThrow({ where: { teamId } });
    await expect(prisma.auditEvent.update({ where: { id: first.id }, data: { action: 'review.approved.forged' } })).rejects.toThrow(/append-only/);
    await expect(prisma.auditEvent.delete({ where: { id: first.id } })).rejects.toThrow(/append-only/);
    await expect(prisma.auditEvent.deleteMany({ where: { teamId } })).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRawUnsafe('UPDATE "AuditEvent" SET "actorId" = NULL')).rejects.toThrow(/append-only/);
    await expect(prisma.$executeRawUnsafe('TRUNCATE "AuditEvent"')).rejects.toThrow(/append-only/);
    expect(await prisma.auditEvent.findUniqueOrThrow({ where: { id: first.id } })).toEqual(first);
  });
});
