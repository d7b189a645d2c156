import { expect, review, signIn, test } from './support';

test('a user without permission sees no admin pages and the API refuses them', async ({ page }) => {
  await signIn(page, 'carol', '/');
  await expect(page.getByRole('link', { name: 'Carol Castro' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await page.goto('/admin');
  await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'FORBIDDEN');
  await expect(page.getByRole('alert')).toContainText('not allowed');
  await expect(page.getByRole('heading', { name: 'Users' })).toHaveCount(0);
  await review(page, 'admin-refused');
});

test('an administrator manages users, the tag vocabulary and the statistics frame', async ({ page }) => {
  await signIn(page, 'dave', '/admin');
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Alice Andersson' }).first()).toBeVisible();
  await page.getByLabel('New tag').fill('Cryo-EM');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await expect(page.locator('.tag', { hasText: 'Cryo-EM' })).toBeVisible();
  await expect(page.getByTestId('stats-status')).toContainText('Students');
  await page.getByRole('button', { name: 'Reload the frame now' }).click();
  await expect(page.getByRole('button', { name: 'Reload the frame now' })).toBeEnabled();
  await page.getByRole('button', { name: 'New user' }).click();
  await page.getByLabel('Name').fill('Erin Example');
  await page.getByLabel('Email').fill('erin@example.org');
  await page.getByRole('checkbox', { name: 'USER_SEARCH' }).check();
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('cell', { name: 'erin@example.org' })).toBeVisible();
  await review(page, 'admin');
});
