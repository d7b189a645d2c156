// Starts the real stack for the end-to-end run: a SecantusDB (MongoDB-wire) server, the OIDC test provider
// and the datatracker binary serving web/dist, with users created through the operator CLI. The addresses
// go to the tests through environment variables; the processes are stopped by global-teardown.ts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

async function waitFor(url: string, what: string, child: ChildProcess, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${what} did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitForPort(port: number, what: string, child: ChildProcess): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((done) => {
      const c = connect(port, '127.0.0.1', () => (c.end(), done(true)));
      c.on('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export default async function globalSetup(): Promise<void> {
  try {
    await start();
  } catch (e) {
    // Teardown does not run when set-up fails: stop what was started here.
    for (const c of children.reverse()) c.kill('SIGTERM');
    throw e;
  }
}

async function start(): Promise<void> {
  const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/datatracker-target');
  const bin = process.env.DATATRACKER_BIN ?? join(targetDir, 'debug/datatracker');
  if (!existsSync(bin)) throw new Error(`no datatracker binary at ${bin}: build it (scripts/test.sh does) or set DATATRACKER_BIN`);
  const dist = resolve(import.meta.dirname, '../dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error('web/dist is not built: run `npm run build` first');
  const providerDir = join(ROOT, 'tests/oidc-provider');
  if (!existsSync(join(providerDir, 'node_modules/oidc-provider'))) {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: providerDir, stdio: 'ignore' });
  }
  const work = mkdtempSync(join(tmpdir(), 'datatracker-e2e-'));
  const [dbPort, oidcPort, appPort] = [await freePort(), await freePort(), await freePort()];
  const base = `http://127.0.0.1:${appPort}`;

  const secantus = process.env.SECANTUSD_BIN ?? join(homedir(), '.cargo/bin/secantusd-rs');
  const db = spawn(secantus, ['--port', String(dbPort), '--storage-path', join(work, 'db'), '--log-file-max', '16MB', '--cache-size', '256M'], {
    stdio: 'ignore',
  });
  children.push(db);
  await waitForPort(dbPort, 'the database server', db);

  const oidc = spawn('node', ['provider.mjs'], {
    cwd: providerDir,
    env: { ...process.env, OIDC_PORT: String(oidcPort), OIDC_REDIRECT_URIS: `${base}/login/oidc/test/authorize` },
    stdio: 'ignore',
  });
  children.push(oidc);
  await waitForPort(oidcPort, 'the OIDC provider', oidc);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATATRACKER_MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/?directConnection=true`,
    DATATRACKER_DATABASE: 'dt_e2e',
    DATATRACKER_SECRET_KEY: 'e2e-secret-key-0123456789abcdef0123456789abcdef',
    DATATRACKER_STATS_SECRET: 'e2e-stats-secret-0123456789abcdef0123456789abcdef',
    DATATRACKER_BIND: `127.0.0.1:${appPort}`,
    DATATRACKER_BASE_URL: `${base}/`,
    DATATRACKER_WEB_DIR: dist,
    DATATRACKER_OIDC_PROVIDERS: 'test',
    DATATRACKER_OIDC_TEST_ISSUER: `http://127.0.0.1:${oidcPort}`,
    DATATRACKER_OIDC_TEST_CLIENT_ID: 'datatracker-test',
    DATATRACKER_OIDC_TEST_CLIENT_SECRET: 'datatracker-test-secret',
    DATATRACKER_OIDC_TEST_DISPLAY_NAME: 'Test AAI',
    DATATRACKER_DATA_PATH: join(work, 'frame.csv'),
    RUST_LOG: 'warn,tower_http=off',
  };
  const cli = (...args: string[]) => execFileSync(bin, args, { env, encoding: 'utf8' });
  cli('migrate');
  cli('sample-data', '--students', '300', '--waves', '3', '--seed', '42', '--out', join(work, 'frame.csv'));
  // alice and dave sign in through OIDC; their accounts exist already (linked by verified email) with
  // permissions. carol (unverified email) gets a new account without permissions at first sign-in.
  cli('users', 'create', 'Alice Andersson', '--email', 'alice@uni-example.org', '--permission', 'ORDERS', ...statsPermission());
  cli('users', 'create', 'Dave Dalton', '--email', 'dave@uni-example.org', '--permission', 'USER_MANAGEMENT', '--permission', 'DATA_MANAGEMENT', ...statsPermission());

  const dave = JSON.parse(cli('users', 'list', '--json')).find((u: { name: string }) => u.name === 'Dave Dalton');
  const key = JSON.parse(cli('users', 'apikey', dave.id, '--json')) as { userId: string; apiKey: string };

  const app = spawn(bin, ['serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(app);
  await waitFor(`${base}/ready`, 'datatracker', app);
  await seed(base, key);
  process.env.E2E_ADMIN_ID = key.userId;
  process.env.E2E_ADMIN_KEY = key.apiKey;

  process.env.E2E_BASE_URL = base;
  process.env.E2E_OIDC_URL = `http://127.0.0.1:${oidcPort}`;
  writeFileSync(join(work, 'pids'), children.map((c) => c.pid).join('\n'));
  process.env.E2E_WORK_DIR = work;
  (globalThis as { __e2eChildren?: ChildProcess[] }).__e2eChildren = children;
}

/** The statistics permission, once the schema has one (STATS_READ); none before. */
function statsPermission(): string[] {
  const schema = readFileSync(join(ROOT, 'schema.graphql'), 'utf8');
  return /^\s*STATS_READ\s*$/m.test(schema) ? ['--permission', 'STATS_READ'] : [];
}

/** A catalogue to browse: 25 public datasets in one order of Dave's, and a collection. */
async function seed(base: string, key: { userId: string; apiKey: string }): Promise<void> {
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-User': key.userId, 'X-API-Key': key.apiKey },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await r.json()) as { data?: Record<string, { id: string }>; errors?: unknown[] };
    if (body.errors) throw new Error(`seed: ${JSON.stringify(body.errors)}`);
    return body.data ?? {};
  };
  // "Genomics" and "Imaging" are in the standard vocabulary from the start (a migration seeds it).
  const order = await gql('mutation { createOrder(input: {title: "Seed order", tagsStandard: ["Genomics"]}) { id } }');
  for (let i = 1; i <= 25; i++) {
    await gql('mutation($o: ID!, $t: String!, $tags: [String!]) { createDataset(orderId: $o, input: {title: $t, tagsStandard: $tags}) { id } }', {
      o: order.createOrder.id,
      t: `Seed dataset ${String(i).padStart(2, '0')}`,
      tags: i % 2 ? ['Genomics'] : ['Imaging'],
    });
  }
  await gql('mutation { createCollection(input: {title: "Seed collection"}) { id } }');
}
