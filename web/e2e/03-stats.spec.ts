import { readFileSync } from 'node:fs';
import { expect, review, signIn, test } from './support';

test('a frequency table with its chart, suppressed cells marked, CSV of what is shown, query in the URL', async ({ page }) => {
  await signIn(page, 'alice', '/stats');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Statistics');
  await expect(page.getByTestId('scope')).toBeVisible();
  await page.getByLabel('Table').selectOption('frequency');
  await page.getByRole('checkbox', { name: 'school' }).check();
  await page.getByRole('checkbox', { name: 'yearGroup' }).check();
  await page.getByLabel('Columns by').selectOption('sex');
  // Twice: the first run also compiles the chart code; the second is what a user sees from then on.
  const runs: { total: number; server: number; client: number }[] = [];
  for (const run of ['first', 'second']) {
    await page.evaluate(() => performance.clearMarks());
    await page.evaluate(() => performance.clearResourceTimings());
    await page.getByRole('button', { name: 'Show table' }).click();
    await expect(page.getByTestId('stats-table')).toBeVisible();
    await page.waitForFunction(() => performance.getEntriesByName('chart-drawn').length > 0);
    const t = await page.evaluate(() => {
      const start = performance.getEntriesByName('stats-run')[0].startTime;
      const drawn = performance.getEntriesByName('chart-drawn')[0].startTime;
      const req = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.endsWith('/graphql') && e.startTime >= start)
        .map((e) => e as PerformanceResourceTiming)[0];
      return { total: drawn - start, server: req ? req.responseEnd - req.startTime : NaN, client: req ? drawn - req.responseEnd : NaN };
    });
    console.log(
      `FIGURE stats (${run} run): frequency table with its chart ${t.total.toFixed(0)} ms after the click ` +
        `(request ${t.server.toFixed(0)} ms against the ${process.env.DATATRACKER_BIN ? 'binary in DATATRACKER_BIN' : 'debug build'}, then table and chart painted in ${t.client.toFixed(0)} ms)`,
    );
    runs.push(t);
  }
  // The target is 300 ms click to chart on an idle machine; the suite runs on a loaded 2-core box beside
  // cargo, so the assertion allows more (E2E_STATS_BUDGET_MS) and the figures above are what to read.
  expect(runs[1].total).toBeLessThanOrEqual(Number(process.env.E2E_STATS_BUDGET_MS ?? 1000));
  const table = page.getByTestId('stats-table');
  // The chart drew something: some canvas pixels are not transparent.
  const inked = await page.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  expect(inked).toBeGreaterThan(500);
  // Suppressed cells carry the one symbol, explained by the legend.
  await expect(table.locator('td.suppressed').first()).toHaveText('*');
  await expect(page.getByTestId('legend')).toContainText('suppressed');
  await expect(page).toHaveURL(/kind=frequency&by=school&by=yearGroup&col=sex/);
  await review(page, 'stats');

  // The CSV holds exactly the table as shown.
  const shown = await table.locator('tr').evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim()).join(',')),
  );
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  const csv = readFileSync((await download.path()) as string, 'utf8').trim().split('\r\n');
  expect(csv).toEqual(shown);

  // The link reproduces the table.
  const url = page.url();
  await page.goto('/');
  await page.goto(url);
  await expect(page.getByTestId('stats-table').locator('tbody tr')).toHaveCount(shown.length - 1);
});

test('means by wave draw a line chart', async ({ page }) => {
  await signIn(page, 'alice', '/stats?kind=means&by=wave&m=phq9_1');
  await expect(page.getByTestId('stats-table')).toBeVisible();
  await expect(page.locator('canvas')).toBeVisible();
  await expect(page.getByTestId('stats-table').locator('thead')).toContainText('phq9_1');
});
