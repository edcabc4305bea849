// A real OpenID Connect provider for tests: panva's certified `oidc-provider`,
// configured so a test can sign in as anyone without a user database.
//
//   node scripts/oidc-provider.mjs PORT
//
// Issuer http://127.0.0.1:PORT. Each test registers its own client (open
// dynamic registration) because test apps run on random ports and so need
// their own redirect_uri. OIDC_STATIC_CLIENT_ID / _SECRET / _REDIRECT_URI add a
// fixed client for browser tests against a fixed-port server. Any client with
// a secret may use client_secret_basic or client_secret_post: this provider
// treats the two as one, whichever was registered.
//
// Sign-in is the built-in development form: any login, any password. The
// login becomes the subject, and its email claims follow from its shape:
//   alice@example.com          -> email alice@example.com, email_verified true
//   unverified+bob@example.com -> email bob@example.com,   email_verified false
//   noemail-x (no @)           -> no email claims
// Consent is granted automatically, so the form posts straight back to the
// relying party's redirect_uri. Everything lives in memory; state dies with
// the process.

import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node scripts/oidc-provider.mjs PORT');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// A fresh signing key per run, so the provider does not fall back to (and
// warn about) its published development keys. RS256 is the default ID token
// algorithm and the one every relying party supports.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [{ ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test' }] };

const env = process.env;
const clients = env.OIDC_STATIC_CLIENT_ID && env.OIDC_STATIC_CLIENT_SECRET && env.OIDC_STATIC_REDIRECT_URI
  ? [{
      client_id: env.OIDC_STATIC_CLIENT_ID,
      client_secret: env.OIDC_STATIC_CLIENT_SECRET,
      redirect_uris: [env.OIDC_STATIC_REDIRECT_URI],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }]
  : [];

function claimsFor(login) {
  const claims = { sub: login, preferred_username: login };
  if (login.includes('@')) {
    const unverified = login.startsWith('unverified+');
    claims.email = unverified ? login.slice('unverified+'.length) : login;
    claims.email_verified = !unverified;
  }
  return claims;
}

const provider = new Provider(issuer, {
  clients,
  jwks,
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: {
    // Open registration: no initial access token needed.
    registration: { enabled: true, initialAccessToken: false },
    devInteractions: { enabled: true },
  },
  responseTypes: ['code'],
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
  // Put the scope's claims in the ID token too (by default they only go to
  // userinfo when an access token is issued), for RPs that read just the token.
  conformIdTokenClaims: false,
  // The default only requires PKCE of public clients; ours must always send it.
  pkce: { required: () => true },
  async findAccount(ctx, sub) {
    return { accountId: sub, claims: async () => claimsFor(sub) };
  },
  // Skip the consent screen: grant whatever was asked for, on the existing
  // grant if there is one (a new scope would otherwise prompt again).
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    const grant = (grantId && await oidc.provider.Grant.find(grantId))
      || new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' '));
    grant.addOIDCClaims([...oidc.requestParamClaims]);
    await grant.save();
    return grant;
  },
  // Tests are short; nothing needs to outlive them.
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
});
// Plain http on 127.0.0.1, no reverse proxy in front.
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => { server.close(); process.exit(0); });
}
