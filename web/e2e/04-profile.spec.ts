import { execFileSync } from 'node:child_process';
import { expect, review, signIn, test } from './support';

test('alice generates an API key, shown once, and uses it from a script', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, 'alice', '/profile');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Profile');
  await page.getByLabel('Affiliation').fill('Uni Example, Genomics');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Your profile was saved.')).toBeVisible();

  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Generate a new API key' }).click();
  const box = page.getByTestId('api-key');
  await expect(box).toBeVisible();
  const key = await page.getByLabel('Your API key').inputValue();
  expect(key.length).toBeGreaterThan(40);
  await page.getByRole('button', { name: 'Copy key' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await review(page, 'profile-key');

  // The curl example, as shown, works from a shell.
  const curl = (await page.getByTestId('curl-example').textContent()) ?? '';
  expect(curl).toContain(key);
  const out = JSON.parse(execFileSync('bash', ['-c', curl], { encoding: 'utf8' }));
  expect(out.data.me.name).toBe('Alice Andersson');

  // Shown once: after a reload the key is gone from the page.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Profile');
  await expect(page.getByTestId('api-key')).toHaveCount(0);
  expect(await page.content()).not.toContain(key);
  expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
});

test('signing out clears the user', async ({ page, context }) => {
  await signIn(page, 'alice', '/my');
  await expect(page.getByRole('link', { name: 'Alice Andersson' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Alice Andersson' })).toHaveCount(0);
  expect((await context.cookies()).some((c) => c.name === 'dt_session')).toBe(false);
  await page.goto('/my');
  await expect(page.getByText('This page is for signed-in users')).toBeVisible();
});

// The session cookie is replaced (not added beside the valid one) by a tampered value: the app must send the
// user to the sign-in page with a message, not show a broken or anonymous page.
test('an expired or tampered session asks to sign in again', async ({ page, context }) => {
  await signIn(page, 'alice', '/my');
  // Wait until the landing page has loaded the session: otherwise its own first request may go out with the
  // tampered cookie below and be answered while the test already navigates away (a race in the test).
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  const url = new URL(process.env.E2E_BASE_URL ?? '');
  await context.clearCookies({ name: 'dt_session' });
  await context.addCookies([{ name: 'dt_session', value: 'expired.or.tampered', domain: url.hostname, path: '/', httpOnly: true }]);
  expect((await context.cookies()).filter((c) => c.name === 'dt_session')).toHaveLength(1);
  await page.goto('/my');
  await expect(page).toHaveURL(/\/signin\?expired=1/);
  await expect(page.getByText('Your session has expired')).toBeVisible();
  await review(page, 'session-expired');
});
