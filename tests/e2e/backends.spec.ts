import { expect, test } from '@playwright/test';
import { createTeam, shot, signUp, unique, watchServerErrors } from './helpers';

test('a run autotunes its backend: candidates on the run page, backend and device in the runs table, backends on the workers page', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchServerErrors(page);
  await signUp(page, 'Gus Gpu', `${unique('gus')}@lab.test`);
  await createTeam(page, `Backend Lab ${Date.now().toString(36)}`);
  const teamUrl = page.url();
  await page.getByLabel('Name').fill('Speed');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Speed' })).toBeVisible();
  const projectUrl = page.url();

  await page.getByRole('link', { name: 'New dataset' }).click();
  await page.getByRole('button', { name: 'Generate synthetic data' }).click();
  await page.getByLabel('Rows').fill('800');
  await page.getByLabel('Dataset name').fill('Loans');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page.getByRole('heading', { name: /Loans/ })).toBeVisible();

  // Find the encoded width from the run form's fit check, then make a fitting MLP.
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New architecture' }).click();
  await page.getByLabel('Task').selectOption('binary');
  await page.getByLabel('Input shape (one example)').fill('99');
  await page.getByTestId('templates').getByRole('button', { name: /^MLP classifier/ }).click();
  await page.getByLabel('Name', { exact: true }).fill('Probe');
  await page.getByRole('button', { name: 'Create architecture' }).click();
  await expect(page.getByRole('heading', { name: /Probe/ })).toBeVisible();
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New run' }).click();
  await page.getByRole('button', { name: 'Queue run' }).click();
  const message = (await page.getByTestId('run-form-error').textContent())!;
  const encoded = Number(/dataset's examples are \[(\d+)\]/.exec(message)![1]);
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New architecture' }).click();
  await page.getByLabel('Task').selectOption('binary');
  await page.getByLabel('Input shape (one example)').fill(String(encoded));
  await page.getByTestId('templates').getByRole('button', { name: /^MLP classifier/ }).click();
  await page.getByLabel('Name', { exact: true }).fill('Loan MLP');
  await page.getByRole('button', { name: 'Create architecture' }).click();
  await expect(page.getByRole('heading', { name: /Loan MLP/ })).toBeVisible();

  const queue = async (backend: string) => {
    await page.goto(projectUrl);
    await page.getByRole('link', { name: 'New run' }).click();
    const options = await page.getByLabel('Architecture').locator('option').allTextContents();
    await page.getByLabel('Architecture').selectOption({ label: options.find((o) => o.startsWith('Loan MLP (v1'))! });
    await page.getByLabel('Epochs').fill('2');
    await page.getByLabel('Batch size').fill('64');
    await page.getByLabel('Backend').selectOption(backend);
    await page.getByRole('button', { name: 'Queue run' }).click();
    await expect(page).toHaveURL(/\/runs\//);
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 120_000 });
  };

  await queue('auto');
  const card = page.getByTestId('run-backend');
  await expect(card).toContainText('Chosen by autotuning');
  await expect(page.getByTestId('backend-candidates')).toContainText('wasm');
  await expect(page.getByTestId('backend-candidates')).toContainText('cpu');
  await expect(page.getByTestId('backend-candidates')).toContainText('chosen');
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: 'tests/e2e/screenshots/55-run-backend-autotune.png' });

  await queue('cpu');
  await expect(page.getByTestId('run-backend')).toContainText('Pinned by the run configuration');

  // The runs table shows backend and device, and filters by them.
  await page.goto(projectUrl);
  const table = page.getByTestId('runs-table');
  await expect(table).toContainText('CPU');
  await page.getByLabel('Filter runs').fill('backend = cpu and device ~ "CPU"');
  await page.keyboard.press('Enter');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await shot(page, '56-runs-by-backend');

  await page.goto(`${teamUrl.replace(/\/$/, '')}/workers`);
  const backends = page.getByTestId('worker-backends').first();
  await expect(backends).toContainText('webgpu');
  await expect(backends).toContainText('wasm');
  await expect(page.getByTestId('worker-gpu').first()).toContainText('none');
  await shot(page, '57-workers-backends');
  expect(errors).toEqual([]);
});
