import { expect, test } from '@playwright/test';
import { createFittingMlp, createProject, createSyntheticLoans, createTeam, pickArchitecture, shot, signUp, unique, watchServerErrors } from './helpers';

test('a run autotunes its backend: candidates on the run page, backend and device in the runs table, backends on the workers page', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchServerErrors(page);
  await signUp(page, 'Gus Gpu', `${unique('gus')}@lab.test`);
  await createTeam(page, `Backend Lab ${Date.now().toString(36)}`);
  const teamUrl = page.url();
  const projectUrl = await createProject(page, 'Speed');
  await createSyntheticLoans(page, projectUrl, 800);
  // Find the encoded width from the run form's fit check, then make a fitting MLP.
  await createFittingMlp(page, projectUrl);

  const queue = async (backend: string) => {
    await page.goto(projectUrl);
    await page.getByRole('link', { name: 'New run' }).click();
    await pickArchitecture(page, 'Loan MLP');
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
