// Smoke test for scripts/oidc-provider.mjs, no browser and no Rust: registers
// a client, signs in through the dev login form and prints the ID token.
//
//   node scripts/oidc-provider-check.mjs ISSUER [LOGIN]
//
// AUTH_METHOD=client_secret_post registers a client of that kind instead;
// CLIENT_ID, CLIENT_SECRET and REDIRECT_URI use a static client instead.
import { createHash, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';

const [issuer, login = 'alice@example.com'] = process.argv.slice(2);
const env = process.env;
const redirectUri = env.REDIRECT_URI || 'http://127.0.0.1:5555/cb';
const method = env.AUTH_METHOD || 'client_secret_basic';
const jar = new Map(); // name -> value; the provider's cookie paths do not matter here
const b64u = (buf) => Buffer.from(buf).toString('base64url');

async function req(url, init = {}) {
  const headers = { ...init.headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  for (const c of res.headers.getSetCookie()) {
    const [kv] = c.split(';');
    const i = kv.indexOf('=');
    jar.set(kv.slice(0, i), kv.slice(i + 1));
  }
  const location = res.headers.get('location');
  console.error(`${init.method ?? 'GET'} ${url} -> ${res.status}${location ? ` ${location}` : ''}`);
  return { res, location: location && new URL(location, url).href };
}

const config = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
const client = env.CLIENT_ID ? { client_id: env.CLIENT_ID, client_secret: env.CLIENT_SECRET } : await (await fetch(config.registration_endpoint, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    redirect_uris: [redirectUri], token_endpoint_auth_method: method,
    grant_types: ['authorization_code'], response_types: ['code'],
  }),
})).json();
assert.ok(client.client_id && client.client_secret, JSON.stringify(client));

const verifier = b64u(randomBytes(32));
const state = b64u(randomBytes(8));
const nonce = b64u(randomBytes(8));
const auth = new URL(config.authorization_endpoint);
auth.search = new URLSearchParams({
  client_id: client.client_id, response_type: 'code', redirect_uri: redirectUri, scope: 'openid email',
  state, nonce, code_challenge: b64u(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
});

// /auth -> /interaction/UID (login form) -> POST it -> /auth/UID -> redirect_uri
let { location } = await req(auth.href);
const html = await (await req(location)).res.text();
const action = html.match(/<form[^>]*action="([^"]+)"/)[1];
({ location } = await req(action, {
  method: 'POST',
  body: new URLSearchParams({ prompt: 'login', login, password: 'any' }),
}));
while (!location.startsWith(redirectUri)) ({ location } = await req(location));

const cb = new URL(location).searchParams;
assert.equal(cb.get('state'), state);
assert.equal(cb.get('iss'), issuer);
const body = new URLSearchParams({ grant_type: 'authorization_code', code: cb.get('code'), redirect_uri: redirectUri, code_verifier: verifier });
const headers = {};
if (method === 'client_secret_post') {
  body.set('client_id', client.client_id);
  body.set('client_secret', client.client_secret);
} else {
  const enc = encodeURIComponent; // RFC 6749 2.3.1: form-encode, then base64
  headers.authorization = `Basic ${Buffer.from(`${enc(client.client_id)}:${enc(client.client_secret)}`).toString('base64')}`;
}
const token = await (await fetch(config.token_endpoint, { method: 'POST', headers, body })).json();
assert.ok(token.id_token, JSON.stringify(token));
const idToken = JSON.parse(Buffer.from(token.id_token.split('.')[1], 'base64url'));
assert.equal(idToken.nonce, nonce);
assert.equal(idToken.sub, login);
console.log(JSON.stringify(idToken));
