import { expect, test, type Page } from '@playwright/test';
import { createFittingMlp, createProject, createSyntheticLoans, createTeam, pickArchitecture, shot, signUp, unique, watchServerErrors } from './helpers';

async function queueRun(page: Page, projectUrl: string, opts: { name: string; epochs: number; reweigh?: boolean; lr?: string }) {
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New run' }).click();
  await pickArchitecture(page, 'Loan MLP');
  await page.getByLabel('Run name (optional)').fill(opts.name);
  await page.getByLabel('Epochs').fill(String(opts.epochs));
  await page.getByLabel('Batch size').fill('32');
  if (opts.lr) await page.getByLabel('Learning rate').fill(opts.lr);
  if (opts.reweigh) await page.getByLabel('Reweighing (fairness mitigation)').check();
  await page.getByRole('button', { name: 'Queue run' }).click();
  await expect(page).toHaveURL(/\/runs\/(?!new)[\w-]+$/);
  return page.url();
}

test('fairness policy gates, the full report with the threshold moved, reports of a checkpoint, and reports compared across runs', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = watchServerErrors(page);
  await signUp(page, 'Fay Fairness', `${unique('fay')}@lab.test`);
  const teamUrl = await (async () => {
    await createTeam(page, `Fair Lab ${Date.now().toString(36)}`);
    return page.url().replace(/\/$/, '');
  })();

  // The team's policy: the four-fifths rule and equalized odds within 0.1.
  await page.getByRole('link', { name: 'Fairness policy' }).click();
  await page.getByRole('button', { name: '+ Four-fifths rule' }).click();
  await page.getByRole('button', { name: '+ Equalized odds within 0.1' }).click();
  await expect(page.getByTestId('gate-rules')).toContainText('demographic_parity_ratio ≥ 0.8');
  await expect(page.getByTestId('gate-rules')).toContainText('equalized_odds_difference ≤ 0.1');
  await shot(page, '70-fairness-policy');

  await page.goto(teamUrl);
  const projectUrl = await createProject(page, 'Lending');
  await createSyntheticLoans(page, projectUrl, 3000);
  await createFittingMlp(page, projectUrl);

  const runs = [
    await queueRun(page, projectUrl, { name: 'baseline', epochs: 4 }),
    await queueRun(page, projectUrl, { name: 'reweighed', epochs: 4, reweigh: true }),
    await queueRun(page, projectUrl, { name: 'short', epochs: 1, lr: '0.003' }),
  ];
  for (const url of runs) {
    await page.goto(url);
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 150_000 });
  }

  // One run's full report: gates, per-group bars, disparities, the threshold slider moved.
  await page.goto(runs[0]!);
  const report = page.getByTestId('fairness-report');
  await expect(report).toBeVisible();
  await expect(page.getByTestId('gate-summary')).toContainText('demographic_parity_ratio ≥ 0.8');
  await expect(page.getByTestId('fairness-bars-sex')).toBeVisible();
  await expect(page.getByTestId('fairness-disparities-sex')).toContainText('Equalized odds difference');
  await expect(page.getByTestId('intersection-heatmap')).toBeVisible();
  const before = await page.getByTestId('threshold-values').textContent();
  await page.getByLabel('Decision threshold').fill('0.35');
  await expect(page.getByTestId('threshold-values')).not.toHaveText(before!);
  await expect(page.getByTestId('threshold-values')).toContainText('accuracy');
  await page.getByLabel('Group metric').selectOption('tpr');
  await report.screenshot({ path: 'tests/e2e/screenshots/71-fairness-report-threshold.png' });
  await expect(page.getByTestId('explain-report')).toContainText('Integrated gradients');
  await expect(page.getByTestId('ig-bars')).toBeVisible();
  await page.getByTestId('explain-report').screenshot({ path: 'tests/e2e/screenshots/72-explain-report.png' });

  // Reports on demand for an earlier checkpoint, computed by the worker.
  const options = await page.getByLabel('Report source').locator('option').allTextContents();
  await page.getByLabel('Report source').selectOption({ label: options.find((o) => o.includes('epoch 1 (epoch)'))! });
  await page.getByRole('button', { name: 'Compute reports' }).click();
  await expect(page.getByTestId('fairness-report')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText('Test accuracy of this checkpoint')).toBeVisible();
  await shot(page, '73-checkpoint-report');

  // The printable page.
  await page.goto(`${runs[0]}/report`);
  await expect(page.getByTestId('printable-report')).toContainText('How each figure is computed');
  await expect(page.getByTestId('fairness-definitions')).toContainText('max_g SR(g) − min_g SR(g)');
  await page.emulateMedia({ media: 'print' });
  await shot(page, '74-printable-report');
  await page.emulateMedia({ media: 'screen' });

  // The runs table shows each run's gate status.
  await page.goto(projectUrl);
  await expect(page.getByTestId('gate-status')).toHaveCount(3);
  await shot(page, '75-runs-gates');

  // Reports compared across runs: accuracy against a disparity, with the Pareto front.
  for (let i = 1; i <= 3; i++) await page.getByLabel(`Select run ${i}`).check();
  await page.getByRole('link', { name: 'Compare 3 runs' }).click();
  const compare = page.getByTestId('fairness-compare');
  await expect(compare).toContainText('Fairness across runs');
  await expect(page.getByTestId('fairness-compare-table')).toContainText('reweighed');
  await expect(page.getByTestId('fairness-front')).toContainText('#');
  await page.getByLabel('Disparity').selectOption('equalized_odds_difference');
  await expect(page.getByTestId('fairness-compare-table')).toContainText('equalized odds difference');
  // Each run's drawn interval spans the table's (lo–hi): its ends, mapped to data values through
  // the first and last x-axis ticks, land within 2 % of the axis span, and inside the axis.
  for (const label of ['#1 baseline', '#2 reweighed', '#3 short']) {
    const cell = page.getByTestId('fairness-compare-table').locator('tbody > tr', { hasText: label }).locator('td').nth(2);
    const [lo, hi] = (await cell.textContent())!
      .match(/\((-?[\d.]+)–(-?[\d.]+)\)/)!
      .slice(1)
      .map(Number) as [number, number];
    await expect(async () => {
      const drawn = await page.getByTestId('fairness-pareto').evaluate((chart, label) => {
        const bar = chart.querySelector(`[data-testid="x-interval"][data-label="${label}"] line`)!.getBoundingClientRect();
        const tickX = [...chart.querySelectorAll('.recharts-xAxis-tick-lines line')].map((l) => l.getBoundingClientRect().left);
        const tickValue = [...chart.querySelectorAll('.recharts-xAxis-tick-labels text')].map((t) => Number(t.textContent));
        return { left: bar.left, right: bar.right, tickX, tickValue };
      }, label);
      expect(drawn.tickX.length).toBe(drawn.tickValue.length);
      const [x0, x1, v0, v1] = [drawn.tickX[0]!, drawn.tickX.at(-1)!, drawn.tickValue[0]!, drawn.tickValue.at(-1)!];
      const toValue = (px: number) => v0 + ((px - x0) / (x1 - x0)) * (v1 - v0);
      const tolerance = 0.02 * (v1 - v0);
      expect(Math.abs(toValue(drawn.left) - lo), `${label}: left end at ${toValue(drawn.left)}, lo ${lo}`).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(toValue(drawn.right) - hi), `${label}: right end at ${toValue(drawn.right)}, hi ${hi}`).toBeLessThanOrEqual(tolerance);
      expect(drawn.left).toBeGreaterThanOrEqual(x0 - 0.5);
      expect(drawn.right).toBeLessThanOrEqual(x1 + 0.5);
    }).toPass({ timeout: 5_000 });
  }
  await compare.screenshot({ path: 'tests/e2e/screenshots/76-fairness-compare.png' });
  expect(errors).toEqual([]);
});
