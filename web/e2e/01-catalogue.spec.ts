import { BASE, expect, review, test } from './support';

test('an anonymous visitor browses, searches, filters and pages the catalogue', async ({ page }) => {
  // First visit (cold browser and cache), then a second navigation with the hashed assets cached.
  const painted: number[] = [];
  for (const visit of ['cold', 'warm']) {
    await page.goto(visit === 'cold' ? '/' : '/?');
    await expect(page.getByTestId('results').locator(':scope > li')).toHaveCount(20);
    await page.waitForFunction(() => performance.getEntriesByName('catalogue-painted').length > 0);
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { painted: performance.getEntriesByName('catalogue-painted')[0].startTime, html: nav.responseEnd, dom: nav.domContentLoadedEventEnd };
    });
    console.log(`FIGURE catalogue (${visit}): navigation to the first 20 datasets painted in ${t.painted.toFixed(0)} ms (page received ${t.html.toFixed(0)} ms, DOM ready ${t.dom.toFixed(0)} ms)`);
    painted.push(t.painted);
  }
  // The target is 500 ms on an idle machine; the suite runs on a loaded 2-core box beside cargo, so the
  // assertion allows more (E2E_PAINT_BUDGET_MS) and the figures above are what to read.
  expect(painted[1]).toBeLessThanOrEqual(Number(process.env.E2E_PAINT_BUDGET_MS ?? 1500));
  await expect(page.getByTestId('count')).toContainText('Showing 1–20 of 25 datasets');
  await review(page, 'catalogue');

  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByTestId('count')).toContainText('Showing 21–25 of 25 datasets');
  await page.getByRole('button', { name: 'First page' }).click();
  await expect(page.getByTestId('count')).toContainText('Showing 1–20');

  await page.getByLabel('Search by title').fill('dataset 07');
  await expect(page.getByTestId('count')).toContainText('Showing 1–1 of 1 datasets');
  await expect(page).toHaveURL(/q=dataset\+07/);
  await page.getByLabel('Search by title').fill('');
  await page.getByRole('checkbox', { name: 'Imaging' }).check();
  await expect(page.getByTestId('count')).toContainText('of 12 datasets');

  await page.getByRole('link', { name: 'Seed dataset 02' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Seed dataset 02');
  await expect(page.getByText('Related datasets')).toBeVisible();
  // Anonymous: no owner information, no edit controls.
  await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(page.getByText('Editors')).toHaveCount(0);
  await review(page, 'dataset');

  await page.getByRole('link', { name: 'Collections' }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Collections');
  await page.getByRole('link', { name: 'Seed collection' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Seed collection');
  await review(page, 'collection');
});

test('the sign-in page lists the providers; unknown pages say so', async ({ page }) => {
  await page.goto('/signin');
  await expect(page.getByRole('link', { name: 'Sign in with Test AAI' })).toBeVisible();
  await review(page, 'signin');
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await review(page, 'notfound');
});

test('GraphiQL is served from our own assets under the CSP and runs a query', async ({ page }) => {
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(BASE()) && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  const resp = await page.goto('/graphiql');
  expect(resp?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.locator('.graphiql-container')).toBeVisible();
  await page.getByRole('button', { name: /Execute query/i }).click();
  await expect(page.locator('.result-window')).toContainText('"totalCount": 25');
  expect(foreign).toEqual([]);
  await page.screenshot({ path: `${import.meta.dirname}/.out/screenshots/graphiql-1280.png` });
});

test('GraphiQL runs a subscription over the same origin under the CSP', async ({ page }) => {
  await page.goto('/graphiql');
  await expect(page.locator('.graphiql-container')).toBeVisible();
  // Replace the editor's text through CodeMirror itself (typing would fight its auto-closing brackets).
  await expect(page.locator('.graphiql-query-editor .CodeMirror')).toBeVisible();
  await page.evaluate(() => {
    const cm = (document.querySelector('.graphiql-query-editor .CodeMirror') as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror;
    cm.setValue('subscription { changes(after: "0", types: [DATASET]) { cursor action dataType entityId } }');
  });
  // GraphiQL parses the edited document a moment later; it picks the transport (WebSocket) from that parse.
  await page.waitForTimeout(1_000);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.getByRole('button', { name: /Execute query/i }).click();
  // The replay of the seeded catalogue arrives over the WebSocket and GraphiQL shows it.
  await expect(page.locator('.result-window')).toContainText('"dataType": "DATASET"');
  await expect(page.locator('.result-window')).toContainText('"action": "ADD"');
  expect(sockets.some((u) => new URL(u).pathname === '/graphql/ws' && new URL(u).host === new URL(BASE()).host)).toBe(true);
});
