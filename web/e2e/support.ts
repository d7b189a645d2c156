// Shared pieces of the end-to-end tests: a page fixture that fails on console errors and warnings, an
// accessibility check (axe-core: no serious or critical violations), screenshots at 360 and 1440 px, and
// signing in through the real OIDC test provider.
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const SHOTS = resolve(import.meta.dirname, '.out/screenshots');
mkdirSync(SHOTS, { recursive: true });

/** The service under test. */
export const BASE = () => process.env.E2E_BASE_URL ?? 'http://127.0.0.1:8080';

export const test = base.extend<{ consoleProblems: string[] }>({
  consoleProblems: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await use(problems);
      expect(problems.filter((p) => !expectedProblem(p)), 'console errors or warnings').toEqual([]);
    },
    { auto: true },
  ],
  baseURL: async ({}, use) => use(BASE()),
});
export { expect };

/** Refusals the test provokes on purpose show as failed requests in the console (401/403). */
function expectedProblem(p: string): boolean {
  return /Failed to load resource: the server responded with a status of (401|403|404)/.test(p);
}

/** Runs axe-core on the page: no serious or critical violations. */
export async function checkA11y(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `axe on ${what}`).toEqual([]);
}

/** Screenshots of the page at 360 and 1440 px wide, full length; also checks nothing overflows sideways. */
export async function shoot(page: Page, name: string): Promise<void> {
  for (const width of [360, 1440]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(50);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${name} fits ${width} px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Axe and screenshots of a page. */
export async function review(page: Page, name: string): Promise<void> {
  await checkA11y(page, name);
  await shoot(page, name);
}

/** Signs in as a test provider account (alice, carol, dave) from the sign-in page, back to `returnTo`. */
export async function signIn(page: Page, account: string, returnTo = '/'): Promise<void> {
  await page.goto(`/signin?returnTo=${encodeURIComponent(returnTo)}`);
  await page.getByRole('link', { name: 'Sign in with Test AAI' }).click();
  const back = (u: URL) => u.origin === new URL(BASE()).origin && !u.pathname.startsWith('/login/');
  // The provider asks who signs in, unless it still has a session of its own from an earlier sign-in.
  await page.waitForURL((u) => u.pathname.startsWith('/interaction/') || back(u));
  if (new URL(page.url()).pathname.startsWith('/interaction/')) {
    await page.locator('input[name=account]').fill(account);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(back);
  }
}
