// A real OpenID Connect provider (panva's certified `oidc-provider`) on 127.0.0.1, for datatracker's login
// tests. One confidential client from env vars, test users from users.json, RS256 ID tokens, a login page a
// plain HTTP client can post to, and a test-only switch that spoils the next ID tokens in one chosen way.
// Never use it for anything real.
//
// env: OIDC_PORT (required), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS (comma-separated).
//
// Login without a browser: GET /interaction/<uid> shows the page; POST /interaction/<uid>/login with
// `account=<login>` signs in and redirects on to the client's callback.
//
// POST /dev/id-token-mode?mode=M changes how the token endpoint's ID tokens are made:
//   normal | expired | foreign-aud | wrong-nonce | wrong-issuer | foreign-key (signed by a key not in JWKS)

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync, randomBytes, createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';

const HERE = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const PORT = Number.parseInt(env.OIDC_PORT || '', 10);
if (!Number.isInteger(PORT) || PORT < 1) {
  console.error('OIDC_PORT is required');
  process.exit(2);
}
const ISSUER = `http://127.0.0.1:${PORT}`;
const CLIENT_ID = env.OIDC_CLIENT_ID || 'datatracker-test';
const CLIENT_SECRET = env.OIDC_CLIENT_SECRET || 'datatracker-test-secret';
const REDIRECT_URIS = (env.OIDC_REDIRECT_URIS || '').split(',').map((s) => s.trim()).filter(Boolean);

const USERS = JSON.parse(readFileSync(resolve(HERE, 'users.json'), 'utf8')).users;
const bySub = new Map(USERS.map((u) => [u.sub, u]));
const findUser = (key) => USERS.find((u) => u.login === key || u.sub === key || u.email === key);

function rsaJwk() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16);
  return { ...jwk, kid, use: 'sig', alg: 'RS256' };
}
const signingJwk = rsaJwk();
const foreignJwk = rsaJwk();
const signingKey = createPrivateKey({ key: signingJwk, format: 'jwk' });
const foreignKey = createPrivateKey({ key: foreignJwk, format: 'jwk' });

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: REDIRECT_URIS,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'eduperson_scoped_affiliation'],
  },
  conformIdTokenClaims: false, // profile and email claims in the ID token too
  jwks: { keys: [signingJwk] },
  features: { devInteractions: { enabled: false } },
  cookies: { names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_resume' },
    keys: [randomBytes(32).toString('base64url')] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ accountId: ctx.oidc.account.accountId, clientId: ctx.oidc.client.clientId });
    grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
    await grant.save();
    return grant;
  },
  async findAccount(ctx, sub) {
    const u = bySub.get(sub);
    if (!u) return undefined;
    const { login, ...claims } = u;
    return { accountId: sub, async claims() { return claims; } };
  },
});

let idTokenMode = 'normal';

provider.use(async (ctx, next) => {
  if (ctx.path === '/dev/id-token-mode' && ctx.method === 'POST') {
    idTokenMode = ctx.query.mode || 'normal';
    ctx.body = { mode: idTokenMode };
    return;
  }
  const m = /^\/interaction\/([^/]+)(\/login)?$/.exec(ctx.path);
  if (m) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (!m[2]) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>Sign in</title><form method="post" action="/interaction/${details.uid}/login">
<input name="account"><button>Sign in</button></form>`;
      return;
    }
    const chunks = [];
    for await (const c of ctx.req) chunks.push(c);
    const user = findUser(new URLSearchParams(Buffer.concat(chunks).toString()).get('account'));
    if (!user) {
      ctx.status = 400;
      ctx.body = 'unknown account';
      return;
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: user.sub } });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return;
  }
  await next();
  if (ctx.path === '/token' && idTokenMode !== 'normal' && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await spoil(ctx.body.id_token, idTokenMode) };
  }
});

async function spoil(idToken, mode) {
  const claims = decodeJwt(idToken);
  const { kid } = decodeProtectedHeader(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (mode === 'foreign-aud') claims.aud = 'another-client';
  if (mode === 'wrong-nonce') claims.nonce = 'not-the-nonce-that-was-sent';
  if (mode === 'wrong-issuer') claims.iss = 'http://127.0.0.1:1';
  const foreign = mode === 'foreign-key';
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: foreign ? foreignJwk.kid : kid })
    .sign(foreign ? foreignKey : signingKey);
}

createServer(provider.callback()).listen(PORT, '127.0.0.1', () => {
  console.log(`test OIDC provider: issuer ${ISSUER}, client ${CLIENT_ID}, redirect ${REDIRECT_URIS.join(',')}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(0));
// Stop with the test process that started us, however it ends.
if (env.OIDC_PARENT_PID) {
  setInterval(() => {
    try { process.kill(Number(env.OIDC_PARENT_PID), 0); } catch { process.exit(0); }
  }, 1000).unref();
}
