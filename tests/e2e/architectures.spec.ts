import { expect, test } from '@playwright/test';
import { createTeam, shot, signUp, unique, watchServerErrors } from './helpers';

test('architecture designer: template → edit with live shapes → two versions → diff', async ({ page }) => {
  const errors = watchServerErrors(page);
  await signUp(page, 'Dana Designer', `${unique('dana')}@lab.test`);
  await createTeam(page, `Arch Lab ${Date.now().toString(36)}`);
  await page.getByLabel('Name').fill('Digits');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Digits' })).toBeVisible();

  await page.getByRole('link', { name: 'New architecture' }).click();
  await page.getByLabel('Input shape (one example)').fill('28, 28, 1');
  await page.getByLabel('Classes').fill('10');
  await page
    .getByTestId('templates')
    .getByRole('button', { name: /CNN image classifier/ })
    .click();
  const editor = page.getByTestId('architecture-editor');
  await expect(editor.getByText('✓ builds')).toBeVisible();
  const rows = editor.getByTestId('layer-row');
  await expect(rows.last().getByTestId('output-shape')).toHaveText('[10]');
  await shot(page, '30-architecture-from-template');
  await page.getByLabel('Name', { exact: true }).fill('Digits CNN');
  await page.getByRole('button', { name: 'Create architecture' }).click();
  await expect(page.getByRole('heading', { name: /Digits CNN/ })).toBeVisible();
  await expect(page.getByTestId('version-history')).toContainText('v1');

  // Edit the first convolution: fewer filters → its output shape and parameter count update live.
  const totalBefore = await page.getByTestId('total-params').textContent();
  const conv = rows.filter({ hasText: 'conv2d' }).first();
  await conv.click();
  const filters = page.locator('#layer-conv2d-filters');
  await filters.fill('8');
  await expect(conv.getByTestId('output-shape')).toHaveText('[28, 28, 8]');
  await expect(conv.getByTestId('layer-params')).toHaveText('80');
  await expect(page.getByTestId('total-params')).not.toHaveText(totalBefore!);

  // An impossible edit is flagged inline, naming the layer; then fixed again.
  await page.locator('#layer-conv2d-padding').selectOption('valid');
  await page.locator('#layer-conv2d-kernelSize').fill('64');
  await page.locator('#layer-conv2d-kernelSize').press('Enter');
  await expect(page.getByTestId('spec-problem')).toContainText(/layer 1 .*conv2d/);
  await shot(page, '31-architecture-inline-error');
  await page.locator('#layer-conv2d-kernelSize').fill('3');
  await page.locator('#layer-conv2d-kernelSize').press('Enter');
  await page.locator('#layer-conv2d-padding').selectOption('same');
  await expect(editor.getByText('✓ builds')).toBeVisible();

  // Insert batch normalisation after the first convolution.
  const count = await rows.count();
  await page.getByLabel('Layer type to add to model').selectOption('batchNormalization');
  await page.getByRole('button', { name: 'Insert after layer 1' }).click();
  await expect(rows).toHaveCount(count + 1);
  await expect(rows.nth(2)).toContainText('batchNormalization');
  await expect(rows.nth(2).getByTestId('layer-params')).toHaveText('32');
  await shot(page, '32-architecture-edited');

  await page.getByLabel('Version message').fill('8 filters, batch norm after conv 1');
  await page.getByRole('button', { name: 'Save as v2' }).click();
  await expect(page.getByTestId('version-history')).toContainText('8 filters, batch norm after conv 1');
  await expect(page.getByRole('heading', { name: /v2/ })).toBeVisible();

  await page.getByLabel('Compare version 1').check();
  await page.getByLabel('Compare version 2').check();
  await page.getByRole('link', { name: 'Compare' }).click();
  await expect(page.getByRole('heading', { name: 'Digits CNN: v1 → v2' })).toBeVisible();
  const summary = page.getByTestId('diff-summary');
  await expect(summary).toContainText('1 added');
  await expect(summary).toContainText('changed');
  await expect(page.getByTestId('diff-added')).toContainText('batchNormalization');
  await expect(page.getByTestId('diff-changed').first()).toContainText('filters');
  await expect(page.getByTestId('params-delta')).toContainText('−');
  await shot(page, '33-architecture-diff');
  expect(errors).toEqual([]);
});
