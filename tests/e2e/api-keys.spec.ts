import { expect, test } from '@playwright/test';
import { ALERT, createTeam, shot, signUp, unique, watchServerErrors } from './helpers';

/**
 * API keys end to end: create one in settings (shown once), log an external run with it through
 * /api/v1 — metrics, params, test predictions with a sensitive attribute — see that run with its
 * charts and fairness report in the UI, read the API docs, then revoke the key and watch the API
 * refuse it.
 */
test('create an API key, log an external run with it, revoke it', async ({ page }) => {
  test.setTimeout(120_000);
  const serverErrors = watchServerErrors(page);
  await signUp(page, 'Kim Park', `${unique('kim')}@lab.test`);
  await createTeam(page, `Keys Lab ${Date.now().toString(36)}`);
  const teamSlug = new URL(page.url()).pathname.split('/')[2]!;
  await page.getByLabel('Name').fill('Cluster runs');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page).toHaveURL(/\/projects\/cluster-runs/);

  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(page).toHaveURL(`/t/${teamSlug}/settings/api-keys`);
  await expect(page.getByText('No keys yet.')).toBeVisible();
  // An empty name is refused beside the field.
  await page.getByRole('button', { name: 'Create key' }).click();
  await expect(page.getByText('Give the key a name')).toBeVisible();
  await page.getByLabel('Name').fill('gpu-cluster');
  await page.getByLabel('Expires').selectOption('90');
  await page.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByTestId('new-api-key-value');
  await expect(shown).toHaveText(/^dbk_[A-Za-z0-9]{40}$/);
  const key = (await shown.textContent())!.trim();
  const row = page.getByTestId('api-key-gpu-cluster');
  await expect(row).toContainText(key.slice(0, 10));
  await expect(row).not.toContainText(key);
  await expect(row).toContainText('never');
  await shot(page, '90-api-key-created');

  // Use the key against the REST API.
  const auth = { authorization: `Bearer ${key}` };
  const created = await page.request.post('/api/v1/runs', {
    headers: auth,
    data: { project: 'cluster-runs', name: 'pytorch resnet (external)', params: { lr: 0.01, optimizer: 'sgd', batch_size: 128 }, tags: [{ key: 'cluster', value: 'a100' }] },
  });
  expect(created.status()).toBe(201);
  const run = (await created.json()) as { id: string; number: number };
  const metrics = Array.from({ length: 12 }, (_, i) => [
    { key: 'loss', value: 1.2 * Math.exp(-i / 4) + 0.1, step: i + 1 },
    { key: 'val_loss', value: 1.3 * Math.exp(-i / 5) + 0.15, step: i + 1 },
    { key: 'val_accuracy', value: 0.6 + 0.3 * (1 - Math.exp(-i / 3)), step: i + 1 },
  ]).flat();
  const logged = await page.request.post(`/api/v1/runs/${run.id}/log-batch`, { headers: auth, data: { metrics } });
  expect(await logged.json()).toEqual({ metrics: 36, params: 0, tags: 0 });
  const bad = await page.request.post(`/api/v1/runs/${run.id}/log-batch`, { headers: auth, data: { metrics: [{ key: 'loss', value: 'high', step: 1 }] } });
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/metrics\[0\]\.value/);
  const n = 240;
  const group = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'B' : 'A'));
  const labels = Array.from({ length: n }, (_, i) => ((i * 7) % 5 < 2 ? 1 : 0));
  const scores = labels.map((y, i) => Math.min(0.99, Math.max(0.01, 0.25 + 0.45 * y + (group[i] === 'B' ? -0.15 : 0.05) + (((i * 37) % 11) - 5) / 40)));
  const uploaded = await page.request.post(`/api/v1/runs/${run.id}/predictions`, { headers: auth, data: { task: 'binary', labels, scores, classNames: ['denied', 'approved'], sensitive: { group } } });
  expect(uploaded.status()).toBe(200);
  const artifact = await page.request.put(`/api/v1/runs/${run.id}/artifacts/model/config.json`, {
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    data: Buffer.from('{"layers": 50}'),
  });
  expect(artifact.status()).toBe(200);
  const finished = await page.request.patch(`/api/v1/runs/${run.id}`, { headers: auth, data: { status: 'FINISHED' } });
  expect(((await finished.json()) as { status: string }).status).toBe('SUCCEEDED');

  // The run in the UI: charts, evaluation and the fairness report.
  await page.goto(`/t/${teamSlug}/projects/cluster-runs/runs/${run.id}`);
  await expect(page.getByText('pytorch resnet (external)')).toBeVisible();
  await expect(page.getByTestId('run-charts')).toContainText('accuracy');
  await expect(page.getByTestId('run-charts')).toContainText('validation');
  await expect(page.getByTestId('fairness-report')).toBeVisible();
  await expect(page.getByTestId('artifacts')).toContainText('model/config.json');
  await expect(page.getByRole('button', { name: 'Clone' })).toHaveCount(0);
  await shot(page, '91-external-run-fairness');

  // The key's last use is shown.
  await page.goto(`/t/${teamSlug}/settings/api-keys`);
  await expect(page.getByTestId('api-key-gpu-cluster')).not.toContainText('never');

  // The docs page, rendered from the OpenAPI document.
  await page.goto('/docs/api');
  await expect(page.getByRole('heading', { name: 'Deepboard API' })).toBeVisible();
  await expect(page.getByTestId('api-operation').filter({ hasText: '/api/v1/runs/{runId}/log-batch' })).toBeVisible();
  await shot(page, '92-api-docs');
  const openapi = await page.request.get('/api/v1/openapi.json');
  expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.1.0');

  // Revoke: the API refuses the key at once.
  await page.goto(`/t/${teamSlug}/settings/api-keys`);
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('api-key-gpu-cluster').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByTestId('api-key-gpu-cluster')).toContainText('revoked');
  await shot(page, '93-api-key-revoked');
  const refused = await page.request.get(`/api/v1/runs/${run.id}`, { headers: auth });
  expect(refused.status()).toBe(401);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/revoked/);
  await expect(page.locator(ALERT)).toHaveCount(0);
  expect(serverErrors).toEqual([]);
});
