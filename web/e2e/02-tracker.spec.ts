import { expect, review, signIn, test } from './support';

const ORDER_TITLE = 'Hidden order title Q7X';
const ORDER_DESCRIPTION = 'Hidden order description ZK4 budget 12000';
const DATASET = 'Cohort B RNA-seq run 1';

test.describe.configure({ mode: 'serial' });

test('alice signs in through OIDC, creates an order and a dataset', async ({ page }) => {
  await signIn(page, 'alice', '/my');
  await expect(page).toHaveURL(/\/my$/);
  await expect(page.getByRole('link', { name: 'Alice Andersson' })).toBeVisible();
  await review(page, 'my-work');

  await page.getByRole('link', { name: 'New order' }).click();
  await page.getByLabel('Title', { exact: true }).fill(ORDER_TITLE);
  await page.getByLabel(/^Description/).fill(ORDER_DESCRIPTION);
  await page.getByRole('checkbox', { name: 'Genomics' }).check();
  await review(page, 'order-new');
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(ORDER_TITLE);

  await page.getByLabel('Dataset title').fill(DATASET);
  await page
    .getByLabel(/^Dataset description/)
    .fill('Reads of **cohort B**.\n\n<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>\n\n[link](javascript:alert(1))');
  await page.getByRole('button', { name: 'Add dataset' }).click();
  await expect(page.getByRole('status')).toHaveText('Dataset added.');
  await page.getByRole('link', { name: DATASET }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(DATASET);
  // Markdown is rendered and sanitised: bold kept, script and handlers gone.
  await expect(page.getByTestId('markdown').locator('strong')).toHaveText('cohort B');
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  const md = page.getByTestId('markdown');
  await expect(md.locator('script, img, [onerror], a[href^="javascript:"]')).toHaveCount(0);
  await expect(md).toContainText('<img src=x onerror='); // raw HTML is shown as text
  // Alice sees owner information.
  await expect(page.getByRole('link', { name: ORDER_TITLE })).toBeVisible();
});

test('an anonymous visitor sees the dataset but nothing of the hidden order, in the page or the traffic', async ({ browser }) => {
  const context = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
  const page = await context.newPage();
  const bodies: string[] = [];
  page.on('response', async (r) => {
    try {
      bodies.push(await r.text());
    } catch {
      /* redirects have no body */
    }
  });
  await page.goto('/');
  await page.getByLabel('Search by title').fill('RNA-seq');
  await page.getByRole('link', { name: DATASET }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(DATASET);
  await expect(page.getByTestId('markdown')).toContainText('cohort B');
  const html = await page.content();
  for (const secret of [ORDER_TITLE, ORDER_DESCRIPTION]) {
    expect(html).not.toContain(secret);
    expect(bodies.filter((b) => b.includes(secret))).toEqual([]);
  }
  expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
  await context.close();
});

test('alice edits the dataset and sees the difference in its history', async ({ page }) => {
  await signIn(page, 'alice', '/');
  await page.getByLabel('Search by title').fill('RNA-seq');
  await page.getByRole('link', { name: DATASET }).click();
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Title', { exact: true }).fill(`${DATASET} (final)`);
  await page.getByRole('checkbox', { name: 'Imaging' }).check();
  await page.getByRole('button', { name: 'Add a cross reference' }).click();
  await page.getByLabel('Identifier').fill('10.1000/xyz');
  await page.getByLabel('Link').fill('https://doi.org/10.1000/xyz');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${DATASET} (final)`);
  await expect(page.getByRole('link', { name: '10.1000/xyz' })).toHaveAttribute('href', 'https://doi.org/10.1000/xyz');
  await page.getByRole('link', { name: 'History' }).click();
  const diff = page.getByTestId('diff');
  await expect(diff.locator('tr', { hasText: 'title' }).first()).toContainText(`${DATASET} (final)`);
  await expect(diff.locator('tr', { hasText: 'tagsStandard' })).toContainText('Imaging');
  await expect(diff).toContainText('10.1000/xyz');
  await review(page, 'history');
});
