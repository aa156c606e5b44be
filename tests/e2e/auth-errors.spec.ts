import { expect, test } from '@playwright/test';
import pg from 'pg';
import { ALERT, createTeam, invite, PASSWORD, shot, signIn, signUp, unique, watchServerErrors } from './helpers';
import { e2eDatabaseUrl } from './state';

test('duplicate e-mail, weak password and wrong password each give a clear message', async ({ page }) => {
  const errors = watchServerErrors(page);
  const email = `${unique('dup')}@lab.test`;
  await signUp(page, 'First', email);
  await expect(page).toHaveURL(/\/teams\/new/);
  await page.context().clearCookies();

  await signUp(page, 'Second', email.toUpperCase());
  await expect(page.locator('[data-field-error="email"]')).toHaveText(/already exists/);
  await shot(page, '10-duplicate-email');

  await signUp(page, 'Weak', `${unique('weak')}@lab.test`, 'short');
  await expect(page.locator('[data-field-error="password"]')).toHaveText(/at least 10 characters/);
  await signUp(page, 'Weak', `${unique('weak')}@lab.test`, 'onlyletterspassword');
  await expect(page.locator('[data-field-error="password"]')).toHaveText(/mix letters/);
  await shot(page, '11-weak-password');

  await signIn(page, email, 'not-the-password-1');
  await expect(page.locator(ALERT)).toHaveText('Wrong e-mail address or password.');
  await expect(page.getByLabel('E-mail')).toHaveValue(email);
  await shot(page, '12-wrong-password');

  await signIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/teams\/new/);
  expect(errors).toEqual([]);
});

test('repeated wrong passwords lock the account for a while', async ({ page }) => {
  const email = `${unique('lock')}@lab.test`;
  await signUp(page, 'Locked', email);
  await page.context().clearCookies();
  for (let i = 0; i < 5; i++) {
    await signIn(page, email, `wrong-password-${i}`);
    await expect(page.locator(ALERT)).toHaveText('Wrong e-mail address or password.');
  }
  await signIn(page, email, PASSWORD);
  await expect(page.locator(ALERT)).toContainText('Too many failed sign-in attempts');
  await shot(page, '13-rate-limited');
});

test('expired and reused invitations explain themselves', async ({ page, browser }) => {
  const errors = watchServerErrors(page);
  await signUp(page, 'Owner', `${unique('owner')}@lab.test`);
  await createTeam(page, `Invites ${Date.now().toString(36)}`);
  const guestEmail = `${unique('guest')}@lab.test`;
  const expiredLink = await invite(page, `${unique('late')}@lab.test`);
  const link = await invite(page, guestEmail);

  const db = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await db.connect();
  await db.query(`UPDATE "Invitation" SET "expiresAt" = now() - interval '1 day' WHERE email LIKE 'late-%'`);
  await db.end();

  const ctx = await browser.newContext();
  const guest = await ctx.newPage();
  const guestErrors = watchServerErrors(guest);
  await guest.goto(expiredLink);
  await expect(guest.locator(ALERT)).toHaveText(/has expired/);
  await shot(guest, '14-invitation-expired');

  await guest.goto(link);
  await guest.getByRole('link', { name: 'Create an account to accept' }).click();
  await guest.getByLabel('Name').fill('Guest');
  await guest.getByLabel('E-mail').fill(guestEmail);
  await guest.getByLabel('Password').fill(PASSWORD);
  await guest.getByRole('button', { name: 'Create account' }).click();
  await guest.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(guest).toHaveURL(/\/t\//);

  await guest.goto(link);
  await expect(guest.locator(ALERT)).toHaveText(/already been used/);
  await shot(guest, '15-invitation-reused');

  await guest.goto('/invite/this-is-not-a-token-at-all');
  await expect(guest.locator(ALERT)).toHaveText(/not valid/);
  expect([...errors, ...guestErrors]).toEqual([]);
  await ctx.close();
});
