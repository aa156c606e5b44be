import { expect, test } from '@playwright/test';
import { createTeam, shot, signUp, unique, watchServerErrors } from './helpers';

test('queue a run from the UI, watch the live chart and progress, see the evaluation', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchServerErrors(page);
  await signUp(page, 'Rhea Runner', `${unique('rhea')}@lab.test`);
  await createTeam(page, `Run Lab ${Date.now().toString(36)}`);
  await page.getByLabel('Name').fill('Credit');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Credit' })).toBeVisible();
  const projectUrl = page.url();

  // Data: synthetic loan approvals.
  await page.getByRole('link', { name: 'New dataset' }).click();
  await page.getByRole('button', { name: 'Generate synthetic data' }).click();
  await page.getByLabel('Rows').fill('4000');
  await page.getByLabel('Dataset name').fill('Loans');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page.getByRole('heading', { name: /Loans/ })).toBeVisible();
  const features = (await page.getByTestId('columns-table').locator('tbody tr').count()) - 1;
  expect(features).toBeGreaterThan(2);

  // Architecture: the MLP template, sized to the encoded features (the run form checks the fit).
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New architecture' }).click();
  await page.getByLabel('Task').selectOption('binary');
  await page.getByLabel('Input shape (one example)').fill('99');
  await page
    .getByTestId('templates')
    .getByRole('button', { name: /^MLP classifier/ })
    .click();
  await page.getByLabel('Name', { exact: true }).fill('Loan MLP (wrong input)');
  await page.getByRole('button', { name: 'Create architecture' }).click();
  await expect(page.getByRole('heading', { name: /Loan MLP/ })).toBeVisible();

  // A run whose architecture does not fit the data is refused with the reason.
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New run' }).click();
  await page.getByRole('button', { name: 'Queue run' }).click();
  await expect(page.getByTestId('run-form-error')).toContainText('encoded features');
  const message = (await page.getByTestId('run-form-error').textContent())!;
  const encoded = Number(/dataset's examples are \[(\d+)\]/.exec(message)![1]);
  await shot(page, '50-run-incompatible');

  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New architecture' }).click();
  await page.getByLabel('Task').selectOption('binary');
  await page.getByLabel('Input shape (one example)').fill(String(encoded));
  await page
    .getByTestId('templates')
    .getByRole('button', { name: /^MLP classifier/ })
    .click();
  await page.getByLabel('Name', { exact: true }).fill('Loan MLP');
  await page.getByRole('button', { name: 'Create architecture' }).click();
  await expect(page.getByRole('heading', { name: /Loan MLP/ })).toBeVisible();

  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New run' }).click();
  const options = await page.getByLabel('Architecture').locator('option').allTextContents();
  await page.getByLabel('Architecture').selectOption({ label: options.find((o) => o.startsWith('Loan MLP (v1'))! });
  await page.getByLabel('Epochs').fill('12');
  await page.getByLabel('Batch size').fill('8');
  await page.getByLabel('Tags (comma separated)').fill('baseline');
  await page.getByRole('button', { name: 'Queue run' }).click();
  await expect(page).toHaveURL(/\/runs\//);

  // Live: the progress bar and the loss chart move while the worker trains.
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'RUNNING', { timeout: 60_000 });
  await expect(page.getByTestId('run-progress')).toBeVisible({ timeout: 60_000 });
  const width = async () => Number((await page.getByTestId('progress-bar').getAttribute('style'))!.match(/width: (\d+)%/)![1]);
  const first = await width();
  await expect.poll(width, { timeout: 60_000 }).toBeGreaterThan(first);
  await expect(page.getByTestId('chart-loss')).toBeVisible();
  await shot(page, '51-run-live');

  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 120_000 });
  await expect(page.getByTestId('evaluation')).toBeVisible();
  await expect(page.getByTestId('test-accuracy')).toContainText('%');
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(page.getByTestId('checkpoints')).toContainText('best');
  await expect(page.getByTestId('run-logs')).toContainText('finished');
  await shot(page, '52-run-evaluation');

  // The run's fairness report (the synthetic loans mark sex and ethnicity sensitive) and explainability.
  await expect(page.getByTestId('fairness-report')).toContainText('DP difference');
  await expect(page.getByTestId('fairness-groups-sex')).toBeVisible();
  const before = await page.getByTestId('threshold-values').textContent();
  await page.getByLabel('Decision threshold').fill('0.7');
  await expect(page.getByTestId('threshold-values')).not.toHaveText(before!);
  await expect(page.getByTestId('mitigation')).toContainText('Post-processed for demographic parity');
  await expect(page.getByTestId('explain-report')).toContainText('Permutation importance');
  await page.getByTestId('fairness-report').screenshot({ path: 'tests/e2e/screenshots/53-run-fairness.png' });
  const runId = page.url().split('/runs/')[1]!.split(/[?#]/)[0];
  const csv = await page.request.get(`/api/runs/${runId}/report?format=csv`);
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain('demographic_parity_difference');
  const json = await page.request.get(`/api/runs/${runId}/report?format=json`);
  expect((await json.json()).explain.permutation.features.length).toBeGreaterThan(0);

  await page.goto(projectUrl);
  await expect(page.getByTestId('runs-table')).toContainText('succeeded');
  expect(errors).toEqual([]);
});
