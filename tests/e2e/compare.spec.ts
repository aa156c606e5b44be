import { expect, test } from '@playwright/test';
import { PASSWORD, shot, signIn, unique, watchServerErrors } from './helpers';
import { pointAtE2eServer } from './state';

/**
 * Three runs by two members, compared: overlay charts with a legend naming run and creator, the
 * parameter diff with "differences only", parallel coordinates and the Pareto scatter. The runs
 * are set up through the services (what the UI calls) and trained by the e2e server's worker.
 */
test('compare runs of two members: overlay, diff, parallel coordinates, Pareto front', async ({ page }) => {
  test.setTimeout(180_000);
  pointAtE2eServer();
  const { signUp } = await import('@/server/services/users');
  const { createTeam } = await import('@/server/services/teams');
  const { createProject } = await import('@/server/services/projects');
  const { createSynthetic, getDatasetVersion } = await import('@/server/services/datasets');
  const { createArchitecture } = await import('@/server/services/architectures');
  const { createRun } = await import('@/server/services/runs');
  const { getTemplate } = await import('@/lib/arch/templates');
  const { prisma } = await import('@/lib/db/client');

  const ana = await signUp({ name: 'Ana Ruiz', email: `${unique('ana')}@lab.test`, password: PASSWORD });
  const ben = await signUp({ name: 'Ben Okafor', email: `${unique('ben')}@lab.test`, password: PASSWORD });
  const team = await createTeam(ana.id, { name: `Compare Lab ${Date.now().toString(36)}` });
  await prisma.membership.create({ data: { teamId: team.id, userId: ben.id, role: 'MEMBER' } });
  const project = await createProject({ teamId: team.id, userId: ana.id, role: 'OWNER', input: { name: 'Credit', description: '' } });
  const split = { train: 0.7, validation: 0.15, test: 0.15, seed: 1, stratify: 'label' as const };
  const ds = await createSynthetic({ teamId: team.id, userId: ana.id, role: 'OWNER', input: { projectId: project.id, name: 'Loans', split, spec: { generator: 'loans', settings: { rows: 2000, seed: 2, biasStrength: 0.5 } } } });
  const v = await getDatasetVersion(team.id, ds.datasetId);
  const inputs = (v.preprocessing as { encoder: { featureNames: string[] } }).encoder.featureNames.length;
  const arch = await createArchitecture({ teamId: team.id, userId: ana.id, role: 'OWNER', input: { projectId: project.id, name: 'Loan MLP', spec: getTemplate('mlp-classifier').build({ inputShape: [inputs], task: 'binary' }) } });
  const runIds: string[] = [];
  for (const [user, lr, batchSize] of [[ana, 1e-3, 32], [ben, 3e-3, 32], [ben, 1e-2, 64]] as const) {
    const r = await createRun({ teamId: team.id, userId: user.id, role: 'MEMBER', input: { projectId: project.id, architectureId: arch.id, datasetId: ds.datasetId, config: { paradigm: 'supervised', epochs: 4, batchSize, learningRate: lr, seed: 3 } } });
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
