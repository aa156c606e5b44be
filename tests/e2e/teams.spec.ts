import { expect, test } from '@playwright/test';
import { createTeam, invite, shot, signUp, unique, watchServerErrors } from './helpers';

test('sign up → create team → invite → second user accepts → both see the team', async ({ page, browser }) => {
  const errors = watchServerErrors(page);
  const ana = { name: 'Ana Ruiz', email: `${unique('ana')}@lab.test` };
  const ben = { name: 'Ben Okafor', email: `${unique('ben')}@lab.test` };
  const teamName = `Vision Lab ${Date.now().toString(36)}`;

  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in/);
  await shot(page, '01-sign-in');

  await signUp(page, ana.name, ana.email);
  await shot(page, '02-create-team');
  await createTeam(page, teamName);
  await expect(page.getByRole('heading', { name: teamName })).toBeVisible();

  await page.getByLabel('Name').fill('Credit scoring');
  await page.getByLabel('Description').fill('Loan approvals across groups');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Credit scoring' })).toBeVisible();
  await page.getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByTestId('project-list')).toContainText('Credit scoring');
  await shot(page, '03-team-overview');

  const link = await invite(page, ben.email);
  await expect(page.getByTestId('pending-invitations')).toContainText(ben.email);
  await shot(page, '04-invitation-created');

  // Ben, in his own browser session, follows the link and creates an account.
  const benContext = await browser.newContext();
  const benPage = await benContext.newPage();
  const benErrors = watchServerErrors(benPage);
  await benPage.goto(link);
  await expect(benPage.getByRole('heading', { name: `Join ${teamName}` })).toBeVisible();
  await shot(benPage, '05-invitation-page');
  await benPage.getByRole('link', { name: 'Create an account to accept' }).click();
  await benPage.getByLabel('Name').fill(ben.name);
  await benPage.getByLabel('E-mail').fill(ben.email);
  await benPage.getByLabel('Password').fill('e2e-password-42');
  await benPage.getByRole('button', { name: 'Create account' }).click();
  await expect(benPage).toHaveURL(/\/invite\//);
  await benPage.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(benPage).toHaveURL(/\/t\/[a-z0-9-]+$/);
  await expect(benPage.getByTestId('team-switcher')).toContainText(teamName);
  await expect(benPage.getByTestId('project-list')).toContainText('Credit scoring');
  await expect(benPage.getByTestId('member-summary')).toContainText(ana.email);
  await shot(benPage, '06-second-user-sees-team');

  // Ana sees Ben among the members.
  await page.reload();
  await expect(page.getByTestId('members-table')).toContainText(ben.email);
  await expect(page.getByTestId('pending-invitations')).not.toBeVisible();
  await shot(page, '07-members-both');

  // The team switcher lists the team for Ben too, and the workers page renders.
  await benPage.getByTestId('team-switcher').click();
  await expect(benPage.getByRole('menuitem', { name: teamName })).toBeVisible();
  await benPage.keyboard.press('Escape');
  await benPage.getByRole('link', { name: 'Workers' }).click();
  await expect(benPage.getByRole('heading', { name: 'Workers' })).toBeVisible();

  expect(errors).toEqual([]);
  expect(benErrors).toEqual([]);
  await benContext.close();
});

test('a user outside the team gets a 404 for its pages', async ({ page, browser }) => {
  await signUp(page, 'Owner', `${unique('own')}@lab.test`);
  await createTeam(page, `Private ${Date.now().toString(36)}`);
  const teamUrl = page.url();
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await signUp(other, 'Stranger', `${unique('str')}@lab.test`);
  await expect(other).toHaveURL(/\/teams\/new/);
  const res = await other.goto(teamUrl + '/members');
  expect(res?.status()).toBe(404);
  await expect(other.getByText('Not found')).toBeVisible();
  await ctx.close();
});
