// A real OpenID provider (oidc-provider) on loopback for the e2e tier. It is published as ES
// modules only, which jest does not load, so tests start it as a child process (oidc-provider.ts).
// Options arrive as JSON in TEST_OIDC_OPTIONS; the issuer is printed as one JSON line when it listens.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const options = JSON.parse(process.env.TEST_OIDC_OPTIONS ?? '{}');
const server = createServer();
await new Promise((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
// A browser test names the provider `localhost` so that it is another site than the app on 127.0.0.1.
const issuer = `http://${options.hostname ?? '127.0.0.1'}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: options.clientId,
      client_secret: options.clientSecret,
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: [options.redirectUri],
      post_logout_redirect_uris: [options.postLogoutRedirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ],
  // The partnership's claims, under the names the deployment configured, granted with one scope.
  claims: { openid: ['sub'], iom: [options.agencyClaim, options.roleClaim] },
  conformIdTokenClaims: false,
  // Any login name signs in (devInteractions); its claims come from the accounts given.
  findAccount: (_ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, ...(options.accounts?.[id] ?? {}) }),
  }),
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ['test-only-cookie-signing-key-0123456789'] },
  ttl: { IdToken: options.idTokenSeconds ?? 3600 },
});
provider.on('server_error', (_ctx, error) => console.error(`server_error: ${error.message}`));
server.on('request', provider.callback());
console.log(JSON.stringify({ issuer }));
