import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'e2e-password-42';
export const SCREENSHOTS = path.resolve(import.meta.dirname, 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export async function shot(page: Page, name: string) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Fails the test on any 5xx response the page receives ("never a 500"). */
export function watchServerErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('response', (res) => {
    if (res.status() >= 500) errors.push(`${res.status()} ${res.url()}`);
  });
  return errors;
}

export async function signUp(page: Page, name: string, email: string, password = PASSWORD) {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function createTeam(page: Page, name: string) {
  await expect(page).toHaveURL(/\/teams\/new/);
  await page.getByLabel('Team name').fill(name);
  await page.getByRole('button', { name: 'Create team' }).click();
  await expect(page).toHaveURL(/\/t\/[a-z0-9-]+$/);
}

export async function invite(page: Page, email: string): Promise<string> {
  await page.getByRole('link', { name: 'Members' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const link = page.getByTestId('invite-link');
  await expect(link).toContainText('/invite/');
  return (await link.textContent())!.trim();
}

/** Our alerts (Next's route announcer also has role=alert). */
export const ALERT = '[role="alert"]:not([id="__next-route-announcer__"])';

/** Creates a project from the team overview; returns its URL. */
export async function createProject(page: Page, name: string): Promise<string> {
  await page.getByLabel('Name').fill(name);
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  return page.url();
}

/** Synthetic loan approvals (sex and ethnicity marked sensitive) from the project page. */
export async function createSyntheticLoans(page: Page, projectUrl: string, rows: number, name = 'Loans') {
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New dataset' }).click();
  await page.getByRole('button', { name: 'Generate synthetic data' }).click();
  await page.getByLabel('Rows').fill(String(rows));
  await page.getByLabel('Dataset name').fill(name);
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(name) })).toBeVisible();
}

async function createMlp(page: Page, projectUrl: string, name: string, input: string) {
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New architecture' }).click();
  await page.getByLabel('Task').selectOption('binary');
  await page.getByLabel('Input shape (one example)').fill(input);
  await page
    .getByTestId('templates')
    .getByRole('button', { name: /^MLP classifier/ })
    .click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByRole('button', { name: 'Create architecture' }).click();
  await expect(page.getByRole('heading', { name: new RegExp(name.replace(/[()]/g, '\\$&')) })).toBeVisible();
}

/**
 * An MLP classifier sized to the project's dataset, as a user learns the size: a wrong-sized
 * probe, whose run the form refuses naming the encoded width, then the real one. Returns the width.
 */
export async function createFittingMlp(page: Page, projectUrl: string, name = 'Loan MLP'): Promise<number> {
  await createMlp(page, projectUrl, 'Probe (wrong input)', '99');
  await page.goto(projectUrl);
  await page.getByRole('link', { name: 'New run' }).click();
  await page.getByRole('button', { name: 'Queue run' }).click();
  await expect(page.getByTestId('run-form-error')).toContainText('encoded features');
  const width = Number(/dataset's examples are \[(\d+)\]/.exec((await page.getByTestId('run-form-error').textContent())!)![1]);
  await createMlp(page, projectUrl, name, String(width));
  return width;
}

/** Picks the architecture whose option starts with `name (v1` in the new-run form. */
export async function pickArchitecture(page: Page, name: string) {
  const options = await page.getByLabel('Architecture').locator('option').allTextContents();
  await page.getByLabel('Architecture').selectOption({ label: options.find((o) => o.startsWith(`${name} (v1`))! });
}
