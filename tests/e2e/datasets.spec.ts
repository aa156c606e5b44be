import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import yazl from 'yazl';
import { ALERT, createTeam, shot, signUp, unique, watchServerErrors } from './helpers';

async function tmpFile(name: string, data: string | Buffer): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'e2e-data-'));
  const file = path.join(dir, name);
  await writeFile(file, data);
  return file;
}

function loansCsv(rows: number): string {
  const lines = ['age,income,employment,sex,race,approved'];
  for (let i = 0; i < rows; i++) {
    const sex = i % 3 === 0 ? 'Female' : 'Male';
    const race = ['White', 'Black', 'Asian'][i % 3 === 1 ? 1 : i % 5 === 0 ? 2 : 0];
    const approved = (i * 7919) % 100 < (sex === 'Female' ? 25 : 55) ? 'yes' : 'no';
    lines.push(`${21 + (i % 45)},${20000 + ((i * 7331) % 80000)},${['salaried', 'contract', 'self-employed'][i % 3]},${sex},${race},${approved}`);
  }
  return lines.join('\n') + '\n';
}

async function imagesZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const colours: Record<string, [number, number, number]> = { red: [220, 30, 30], blue: [30, 60, 220], green: [30, 180, 60] };
  for (const [cls, [r, g, b]] of Object.entries(colours)) {
    for (let i = 0; i < 5; i++) {
      const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: r - i * 10, g: g + i * 5, b } } })
        .png()
        .toBuffer();
      zip.addBuffer(png, `${cls}/${i}.png`);
    }
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('datasets: upload a CSV and set roles, see the profile; synthetic data; image zip preview', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchServerErrors(page);
  await signUp(page, 'Dara Data', `${unique('dara')}@lab.test`);
  await createTeam(page, `Data Lab ${Date.now().toString(36)}`);
  await page.getByLabel('Name').fill('Lending');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Lending' })).toBeVisible();
  const projectUrl = page.url();

  // A malformed file is refused with the line named, and nothing is created.
  await page.getByRole('link', { name: 'New dataset' }).click();
  await page.getByLabel('CSV file').setInputFiles(await tmpFile('broken.csv', 'a,b,c\n1,2,3\n4,5\n'));
  await expect(page.locator(ALERT)).toContainText('line 3');
  await shot(page, '40-dataset-malformed-csv');

  await page.getByLabel('CSV file').setInputFiles(await tmpFile('loans.csv', loansCsv(1200)));
  await expect(page.getByTestId('columns-table')).toBeVisible();
  await expect(page.getByText('1,200 rows × 6 columns')).toBeVisible();
  await page.getByLabel('Role of approved').selectOption('label');
  await page.getByLabel('Role of sex').selectOption('sensitive');
  await page.getByLabel('Role of race').selectOption('sensitive');
  await page.getByLabel('Positive class').selectOption('yes');
  await shot(page, '41-dataset-roles');
  await page.getByLabel('Dataset name').fill('Loans 2026');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page.getByRole('heading', { name: /Loans 2026/ })).toBeVisible();
  await expect(page.getByTestId('dataset-overview')).toContainText('binary (positive: yes)');
  await expect(page.getByTestId('split-counts')).toHaveText('840 / 180 / 180');
  await expect(page.getByTestId('bias-profile')).toContainText('Female');
  await expect(page.getByTestId('largest-gap')).toContainText('points');
  await expect(page.getByTestId('columns-table')).toContainText('income');
  await shot(page, '42-dataset-profile');

  // Synthetic loan approvals with a planted bias.
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New dataset' }).click();
  await page.getByRole('button', { name: 'Generate synthetic data' }).click();
  await page.getByLabel('Rows').fill('3000');
  await page.getByLabel('Bias strength (0–1)').fill('0.8');
  await page.getByLabel('Dataset name').fill('Synthetic loans');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page.getByRole('heading', { name: /Synthetic loans/ })).toBeVisible();
  await expect(page.getByTestId('largest-gap')).toBeVisible();
  await shot(page, '43-dataset-synthetic');

  // An image zip: one folder per class.
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New dataset' }).click();
  await page.getByRole('button', { name: 'Upload images (zip)' }).click();
  await page.getByLabel('Width').fill('24');
  await page.getByLabel('Height').fill('24');
  await page.getByLabel('Zip file').setInputFiles(await tmpFile('colours.zip', await imagesZip()));
  await expect(page.getByText('15 images in 3 classes')).toBeVisible();
  await expect(page.getByTestId('image-grid').locator('img')).toHaveCount(12);
  await page.getByLabel('Dataset name').fill('Colours');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page.getByRole('heading', { name: /Colours/ })).toBeVisible();
  await expect(page.getByTestId('image-grid')).toContainText('blue');
  await shot(page, '44-dataset-images');

  await page.goto(projectUrl);
  await expect(page.getByTestId('datasets-table')).toContainText('Loans 2026');
  await expect(page.getByTestId('datasets-table')).toContainText('Colours');
  expect(errors).toEqual([]);
});
