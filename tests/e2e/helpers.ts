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
