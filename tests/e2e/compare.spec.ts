import { expect, test } from '@playwright/test';
import { PASSWORD, shot, signIn, unique, watchServerErrors } from './helpers';
import { pointAtE2eServer } from './state';

/**
 * Three runs by two members, compared: overlay charts with a legend naming run and creator, the
 * parameter diff with "differences only", parallel coordinates and the Pareto scatter. The runs
 * are set up through the test factories (the services the UI calls) and trained by the e2e
 * server's worker.
 */
test('compare runs of two members: overlay, diff, parallel coordinates, Pareto front', async ({ page }) => {
  test.setTimeout(180_000);
  pointAtE2eServer();
  const { signUp } = await import('@/server/services/users');
  const { createTeam } = await import('@/server/services/teams');
  const { makeArchitecture, makeDataset, makeProject, makeRun } = await import('../helpers/factories');
  const { prisma } = await import('@/lib/db/client');

  const ana = await signUp({ name: 'Ana Ruiz', email: `${unique('ana')}@lab.test`, password: PASSWORD });
  const ben = await signUp({ name: 'Ben Okafor', email: `${unique('ben')}@lab.test`, password: PASSWORD });
  const team = await createTeam(ana.id, { name: `Compare Lab ${Date.now().toString(36)}` });
  await prisma.membership.create({ data: { teamId: team.id, userId: ben.id, role: 'MEMBER' } });
  const project = await makeProject({ owner: ana, team }, 'Credit');
  const ds = await makeDataset({ owner: ana, team, project }, { name: 'Loans', loans: { rows: 2000, seed: 2, biasStrength: 0.5 } });
  const arch = await makeArchitecture({ owner: ana, team, project }, { name: 'Loan MLP', inputs: ds.inputs });
  const runIds: string[] = [];
  for (const [user, lr, batchSize] of [
    [ana, 1e-3, 32],
    [ben, 3e-3, 32],
    [ben, 1e-2, 64],
  ] as const) {
    const r = await makeRun({ owner: user, team, project }, { architectureId: arch.id, datasetId: ds.datasetId, config: { epochs: 4, batchSize, learningRate: lr, seed: 3 } });
    runIds.push(r.id);
  }
  const deadline = Date.now() + 120_000;
  while ((await prisma.run.count({ where: { id: { in: runIds }, status: 'SUCCEEDED' } })) < 3) {
    if (Date.now() > deadline) throw new Error('runs did not finish');
    await new Promise((r) => setTimeout(r, 500));
  }

  const errors = watchServerErrors(page);
  await signIn(page, ben.email);
  await page.waitForURL(/\/t\//);
  await page.goto(`/t/${team.slug}/projects/${project.slug}`);
  await expect(page.getByTestId('runs-total')).toHaveText('3 runs');

  // The query language: a filter on a parameter and a metric, grouped by creator.
  await page.getByLabel('Filter runs').fill('params.lr < 0.005 and metrics.val_loss < 10 and status = "SUCCEEDED"');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('runs-total')).toHaveText('2 runs match');
  await page.getByLabel('Group by').selectOption('user');
  await expect(page.getByTestId('run-groups')).toContainText('Ana Ruiz');
  await expect(page.getByTestId('run-groups')).toContainText('Ben Okafor');
  await shot(page, '61-runs-query-grouped');
  await page.getByLabel('Filter runs').fill('params.lr < and user = "x"');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByTestId('query-error')).toContainText("column 13: expected a value after '<'");
  await shot(page, '62-runs-query-error');
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Group by').selectOption('');
  await expect(page.getByTestId('runs-total')).toHaveText('3 runs');
  // The explorer with its column picker open, at desktop and laptop widths.
  await page.getByRole('button', { name: 'Columns' }).click();
  await expect(page.getByTestId('column-picker')).toBeVisible();
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    await shot(page, `63-runs-explorer-${width}`);
  }
  await page.getByRole('button', { name: 'Columns' }).click();
  await page.setViewportSize({ width: 1280, height: 800 });

  for (let i = 1; i <= 3; i++) await page.getByLabel(`Select run ${i}`).check();
  await page.getByRole('link', { name: 'Compare 3 runs' }).click();
  await expect(page).toHaveURL(/\/compare\?runs=/);
  const shareable = page.url();

  const legend = page.getByTestId('compare-legend');
  await expect(legend).toContainText('by Ana Ruiz');
  await expect(legend).toContainText('by Ben Okafor');
  await expect(page.getByTestId('chart-validation.loss')).toBeVisible();
  const diff = page.getByTestId('param-diff');
  await expect(diff).toContainText('learningRate');
  await expect(diff).toContainText('batchSize');
  await expect(diff).not.toContainText('epochs'); // same in all three: hidden by "differences only"
  await page.getByLabel('Differences only').uncheck();
  await expect(diff).toContainText('epochs');
  await page.getByLabel('Differences only').check();
  await expect(page.getByTestId('parallel-coordinates').locator('polyline')).toHaveCount(3);
  await expect(page.getByTestId('pareto-front')).toContainText('#');
  await shot(page, '60-compare-runs');

  // The address alone reproduces the view (e.g. sent to a colleague).
  await page.goto(shareable);
  await expect(page.getByTestId('compare-legend')).toContainText('by Ana Ruiz');
  expect(errors).toEqual([]);
  await prisma.$disconnect();
});
