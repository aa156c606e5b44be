import { expect, test } from '@playwright/test';
import { ALERT, PASSWORD, shot, signIn, unique, watchServerErrors } from './helpers';
import { pointAtE2eServer } from './state';

/**
 * A grid sweep of 6 runs created from the New sweep form, trained by the e2e server's worker:
 * the sweep page shows progress, the runs, the parallel coordinates and the best run.
 * The team, dataset and architecture are set up through the services (what the UI calls).
 */
test('a 6-run grid sweep from the UI: progress, parallel coordinates, best run', async ({ page }) => {
  test.setTimeout(300_000);
  pointAtE2eServer();
  const { signUp } = await import('@/server/services/users');
  const { createTeam } = await import('@/server/services/teams');
  const { createProject } = await import('@/server/services/projects');
  const { createSynthetic, getDatasetVersion } = await import('@/server/services/datasets');
  const { createArchitecture } = await import('@/server/services/architectures');
  const { getTemplate } = await import('@/lib/arch/templates');

  const ana = await signUp({ name: 'Ana Ruiz', email: `${unique('ana')}@lab.test`, password: PASSWORD });
  const team = await createTeam(ana.id, { name: `Sweep Lab ${Date.now().toString(36)}` });
  const project = await createProject({ teamId: team.id, userId: ana.id, role: 'OWNER', input: { name: 'Credit', description: '' } });
  const split = { train: 0.7, validation: 0.15, test: 0.15, seed: 1, stratify: 'label' as const };
  const ds = await createSynthetic({
    teamId: team.id,
    userId: ana.id,
    role: 'OWNER',
    input: { projectId: project.id, name: 'Loans', split, spec: { generator: 'loans', settings: { rows: 800, seed: 2, biasStrength: 0.5 } } },
  });
  const v = await getDatasetVersion(team.id, ds.datasetId);
  const inputs = (v.preprocessing as { encoder: { featureNames: string[] } }).encoder.featureNames.length;
  await createArchitecture({
    teamId: team.id,
    userId: ana.id,
    role: 'OWNER',
    input: { projectId: project.id, name: 'Loan MLP', spec: getTemplate('mlp-classifier').build({ inputShape: [inputs], task: 'binary' }) },
  });

  const errors = watchServerErrors(page);
  await signIn(page, ana.email);
  await page.waitForURL(/\/t\//);
  await page.goto(`/t/${team.slug}/projects/${project.slug}`);
  await page.getByRole('link', { name: 'New sweep' }).click();
  await expect(page).toHaveURL(/\/sweeps\/new$/);

  await page.getByLabel('Sweep name').fill('lr × batch size');
  await page.getByLabel('Epochs').fill('3');
  await page.getByLabel('Method').selectOption('grid');
  // A bad bound is refused with a message naming the parameter.
  await page.locator('#sweep-param-0-low').fill('0');
  await page.getByRole('button', { name: 'Start sweep' }).click();
  await expect(page.locator(ALERT)).toContainText('learningRate: log-uniform needs low > 0');
  await shot(page, '95-sweep-form-error');

  // learningRate: 3 log-spaced grid points in [0.001, 0.1]; batchSize: 32 or 64 → 6 runs.
  await page.locator('#sweep-param-0-low').fill('0.001');
  await page.locator('#sweep-param-0-high').fill('0.1');
  await page.locator('#sweep-param-0-extra').fill('3');
  await page.locator('#sweep-param-1-values').fill('32, 64');
  await page.getByLabel('Parallel runs').fill('2');
  await page.getByLabel(/Median early stopping/).check();
  await page.getByLabel('Warm-up epochs').fill('1');
  await expect(page.getByText('6 runs (the grid has 6 points), 2 at a time.')).toBeVisible();
  await shot(page, '96-sweep-form');
  await page.getByRole('button', { name: 'Start sweep' }).click();

  await expect(page).toHaveURL(/\/sweeps\/[a-z0-9]+$/);
  await expect(page.getByRole('heading', { name: /lr × batch size/ })).toBeVisible();
  const started = Date.now();
  await expect(page.getByTestId('sweep-status')).toHaveAttribute('data-status', 'FINISHED', { timeout: 240_000 });
  console.log(`sweep of 6 runs (3 epochs, one worker, parallelism 2) finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await expect(page.getByTestId('sweep-progress')).toHaveText('6 / 6 runs done');
  await expect(page.getByTestId('sweep-runs').locator('tbody tr')).toHaveCount(6);
  const best = page.getByTestId('sweep-best');
  await expect(best).toContainText('val_loss =');
  await expect(page.getByTestId('sweep-runs').locator('tr[data-best]')).toHaveCount(1);
  const pc = page.getByTestId('parallel-coordinates');
  await expect(pc).toContainText('learningRate (log)');
  await expect(pc).toContainText('batchSize');
  await expect(pc).toContainText('val_loss');
  await expect(pc.locator('polyline')).toHaveCount(6);
  await shot(page, '97-sweep-page');

  // The best run's link opens the run.
  await best.getByRole('link').click();
  await expect(page).toHaveURL(/\/runs\/[a-z0-9]+$/);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'SUCCEEDED');

  // The project page lists the sweep with its best run.
  await page.goto(`/t/${team.slug}/projects/${project.slug}`);
  const table = page.getByTestId('sweeps-table');
  await expect(table).toContainText('lr × batch size');
  await expect(table).toContainText('6 / 6');
  // The sweep's runs are ordinary runs: the runs table shows their swept settings.
  const trial5 = page.getByTestId('runs-table').locator('tbody tr', { hasText: 'trial 5' });
  await expect(trial5).toContainText('0.01');
  await expect(trial5).toContainText('64');
  await table.scrollIntoViewIfNeeded();
  await shot(page, '98-project-sweeps');
  expect(errors).toEqual([]);
});
