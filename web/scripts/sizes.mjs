// Prints the gzip sizes of the built app (dist/): the JavaScript the first page loads (index.html's entry and
// its static imports) and everything the app can load (dynamic imports and their CSS included). GraphiQL is
// a separate page, reported on its own. Fails when the budgets (100 KB / 250 KB gzip) are exceeded.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';

const dist = resolve(import.meta.dirname, '../dist');
const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const fromHtml = (html) =>
  [...readFileSync(join(dist, html), 'utf8').matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);

/** Files reachable from `start`; `dynamic` also follows import() and preload lists. */
function closure(start, dynamic) {
  const seen = new Set();
  const todo = [...start];
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    if (!f.endsWith('.js')) continue;
    const text = readFileSync(join(dist, f), 'utf8');
    for (const m of text.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w$*{}\s,]+from\s*)?["']\.\/([^"']+\.js)["']/g)) todo.push(`assets/${m[1]}`);
    if (dynamic) {
      for (const m of text.matchAll(/["'`](?:\.\/|\/?assets\/)([\w.-]+\.(?:js|css))["'`]/g)) todo.push(`assets/${m[1]}`);
    }
  }
  return [...seen];
}

const first = closure(fromHtml('index.html'), false);
const app = closure(fromHtml('index.html'), true);
const graphiql = closure(fromHtml('graphiql.html'), true).filter((f) => !app.includes(f));
const sum = (files) => files.reduce((s, f) => s + gz(f), 0);
const firstJs = sum(first.filter((f) => f.endsWith('.js')));
const appTotal = sum(app);
console.log(
  `FIGURE bundle: first page JavaScript ${kb(firstJs)} gzip (budget 100 KB); whole app ${kb(appTotal)} gzip in ${app.length} files (budget 250 KB); GraphiQL page ${kb(sum(graphiql))} gzip more (separate page)`,
);
if (firstJs > 100 * 1024 || appTotal > 250 * 1024) {
  console.error('the app is over its size budget');
  process.exit(1);
}
