import { expect, test, type Page } from '@playwright/test';
import { createFittingMlp, createSyntheticLoans, createTeam, invite, pickArchitecture, shot, signUp, unique, watchServerErrors } from './helpers';

/**
 * Reviewing a run's fairness report as a team: the author requests a review, the reviewer
 * comments on a disparity (mentioning the author), the author replies, the reviewer approves;
 * the model card shows the decision; the audit trail lists every step.
 */

async function trainTinyRun(page: Page, projectUrl: string) {
  // Synthetic loan approvals (sex and ethnicity sensitive) and an MLP sized to them.
  await createSyntheticLoans(page, projectUrl, 800);
  await createFittingMlp(page, projectUrl);

  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New run' }).click();
  await pickArchitecture(page, 'Loan MLP');
  await page.getByLabel('Epochs').fill('2');
  await page.getByLabel('Batch size').fill('32');
  await page.getByRole('button', { name: 'Queue run' }).click();
  await expect(page).toHaveURL(/\/runs\//);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 150_000 });
  await expect(page.getByTestId('fairness-report')).toContainText('DP difference');
  return page.url();
}

test('request review → reviewer comments on a disparity → author replies → reviewer approves; model card and audit trail', async ({ page, browser }) => {
  test.setTimeout(300_000);
  const errors = watchServerErrors(page);
  const ana = { name: 'Ana Ruiz', email: `${unique('ana')}@lab.test` };
  const ben = { name: 'Ben Okafor', email: `${unique('ben')}@lab.test` };
  await signUp(page, ana.name, ana.email);
  await createTeam(page, `Review Lab ${Date.now().toString(36)}`);
  const teamUrl = page.url();
  await page.getByLabel('Name').fill('Credit');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Credit' })).toBeVisible();
  const projectUrl = page.url();

  // Ben joins as a member.
  await page.goto(teamUrl);
  const link = await invite(page, ben.email);
  const benContext = await browser.newContext();
  const benPage = await benContext.newPage();
  const benErrors = watchServerErrors(benPage);
  await benPage.goto(link);
  await benPage.getByRole('link', { name: 'Create an account to accept' }).click();
  await benPage.getByLabel('Name').fill(ben.name);
  await benPage.getByLabel('E-mail').fill(ben.email);
  await benPage.getByLabel('Password').fill('e2e-password-42');
  await benPage.getByRole('button', { name: 'Create account' }).click();
  await benPage.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(benPage).toHaveURL(/\/t\/[a-z0-9-]+$/);

  await page.goto(projectUrl);
  const runUrl = await trainTinyRun(page, projectUrl);

  // Ana requests Ben's review.
  const panel = page.getByTestId('review-panel');
  await panel.getByRole('button', { name: 'Request review' }).click();
  await panel.getByLabel(new RegExp(ben.name)).check();
  await panel.getByPlaceholder('What should reviewers look at?').fill('Please check the **DP gap** between sexes before we ship.');
  await panel.getByRole('button', { name: 'Send review request' }).click();
  await expect(panel.getByTestId('review-state')).toHaveText('Pending');
  await expect(panel).toContainText(`${ben.name} (awaiting)`);
  await panel.screenshot({ path: 'tests/e2e/screenshots/80-review-requested.png' });

  // Ben sees it in his queue and in the bell.
  await benPage.goto(teamUrl);
  await expect(benPage.getByTestId('pending-reviews')).toContainText('Review of run #1');
  await expect(benPage.getByTestId('unread-count')).toHaveText('1');
  await shot(benPage, '81-pending-reviews');
  await benPage.getByTestId('notification-bell').click();
  await expect(benPage.getByTestId('notifications')).toContainText(`${ana.name} requested your review`);
  await benPage.keyboard.press('Escape');
  await benPage
    .getByTestId('pending-reviews')
    .getByRole('link', { name: /Review of run #1/ })
    .click();
  await expect(benPage).toHaveURL(/\/runs\/.+#review/);

  // Ben comments on the sex demographic-parity disparity, mentioning Ana.
  await benPage.getByTestId('comment-on-disparity:sex/demographic_parity_difference').click();
  await expect(benPage.getByTestId('composer-anchor')).toHaveText('Disparity: sex · demographic_parity_difference');
  await benPage
    .getByLabel('Comment', { exact: true })
    .fill(`@${ana.name} the DP difference here is *above* our usual bar.\n\n- is the interval wide because of the small test split?\n- <b>raw html</b> stays text`);
  await benPage.getByRole('button', { name: 'Comment', exact: true }).click();
  const thread = benPage.getByTestId('comment-thread').first();
  await expect(thread).toContainText('Disparity: sex · demographic_parity_difference');
  await expect(thread.locator('em')).toHaveText('above');
  await expect(thread.getByText(`@${ana.name}`, { exact: true })).toBeVisible();
  await expect(thread).toContainText('<b>raw html</b> stays text');
  await expect(benPage.getByTestId('comment-on-disparity:sex/demographic_parity_difference')).toHaveText('1');

  // Ana is notified of the mention and replies in the thread.
  await page.goto(runUrl);
  await expect(page.getByTestId('unread-count')).toHaveText('1');
  const anaThread = page.getByTestId('comment-thread').first();
  await anaThread.getByRole('button', { name: 'Reply' }).click();
  await anaThread.getByLabel('Reply').fill('Yes: 160 test rows. The post-processing line below brings it within 0.05; see the mitigation note.');
  await anaThread.getByRole('button', { name: 'Reply' }).click();
  await expect(anaThread.getByTestId('comment-reply')).toContainText('160 test rows');

  // Ben approves with a justification.
  await benPage.reload();
  await expect(benPage.getByTestId('comment-reply')).toContainText(ana.name);
  await benPage.getByLabel('Justification').fill('Accepted for the pilot with the per-group thresholds; revisit with more data.');
  await benPage.getByRole('button', { name: 'Approve' }).click();
  await expect(benPage.getByTestId('review-state')).toHaveText('Approved');
  await expect(benPage.getByTestId('decision')).toContainText(ben.name);
  await benPage.getByTestId('review-panel').scrollIntoViewIfNeeded();
  await benPage.getByTestId('review-panel').screenshot({ path: 'tests/e2e/screenshots/82-review-approved.png' });
  await page.getByTestId('fairness-report').screenshot({ path: 'tests/e2e/screenshots/83-report-comment-buttons.png' });

  // The model card carries the decision; Ana fills in the intended use.
  await page.goto(`${runUrl}/model-card`);
  await expect(page.getByTestId('card-decisions')).toContainText(`${ben.name} approved`);
  await expect(page.getByTestId('card-quantitative')).toContainText('sex & ethnicity');
  await page.getByRole('button', { name: 'Edit intended use' }).click();
  await page.getByLabel('Intended use', { exact: true }).fill('Pre-screening of loan applications; a loan officer makes every final decision.');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByLabel('Intended use', { exact: true })).toBeHidden();
  await expect(page.getByTestId('card-intended-use').locator('p').first()).toHaveText(/loan officer makes every final decision/);
  await expect(page.getByTestId('model-card')).toContainText('accuracy');
  await shot(page, '84-model-card');
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();
  await shot(page, '85-model-card-print');
  await page.emulateMedia({ media: 'screen' });
  const runId = runUrl.split('/runs/')[1]!;
  const md = await page.request.get(`/api/runs/${runId}/model-card?format=md`);
  expect(md.status()).toBe(200);
  const text = await md.text();
  expect(text).toContain('## Review decisions');
  expect(text).toContain(`${ben.name} approved`);
  expect(text).toContain('loan officer makes every final decision');
  const json = await (await page.request.get(`/api/runs/${runId}/model-card?format=json`)).json();
  expect(json.decisions[0]).toMatchObject({ reviewer: ben.name, verdict: 'APPROVE', stale: false });
  expect((await page.request.get(`/api/runs/${runId}/model-card?format=pdf`)).status()).toBe(400);

  // The audit trail lists every step; filter by Ben.
  await page.goto(teamUrl);
  await page.getByRole('link', { name: 'Audit trail' }).click();
  const rows = page.getByTestId('audit-row');
  await expect(page.getByTestId('audit-events')).toContainText('review.decided');
  for (const a of ['invitation.created', 'invitation.accepted', 'review.requested', 'comment.created', 'model_card.updated']) await expect(page.getByTestId('audit-events')).toContainText(a);
  await page.getByLabel('Actor').selectOption({ label: `${ben.name} (${ben.email})` });
  await expect(rows).toHaveCount(3); // accepted the invitation, commented, approved
  await shot(page, '86-audit-trail');

  // Ben, a member, has no audit trail page.
  expect((await benPage.goto(`${teamUrl}/audit`))?.status()).toBe(404);
  expect(errors).toEqual([]);
  expect(benErrors).toEqual([]);
  await benContext.close();
});
