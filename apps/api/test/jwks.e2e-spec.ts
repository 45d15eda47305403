import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { startTestApp, type TestApp } from './test-app';

/** Production mode: tokens come from the partnership's identity provider, verified against its JWKS. */
describe('tokens verified against JWT_JWKS_URL', () => {
  let idp: Server;
  let t: TestApp;
  let signingKey: KeyLike;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    signingKey = privateKey;
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' }] };
    idp = createServer((_, response) =>
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(jwks)),
    );
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const { port } = idp.address() as AddressInfo;
    t = await startTestApp({
      JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
      JWT_ISSUER: 'https://idp.example',
      JWT_AUDIENCE: 'throughline-api',
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => idp.close(resolve));
  });

  const token = (key: KeyLike, claims: { iss?: string; aud?: string } = {}) =>
    new SignJWT({ agency: 'police', role: 'partnership-admin' })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setSubject('admin-1')
      .setIssuer(claims.iss ?? 'https://idp.example')
      .setAudience(claims.aud ?? 'throughline-api')
      .setExpirationTime('5m')
      .sign(key);

  it('accepts a token the identity provider signed', async () => {
    await t.http
      .get('/v1/projections')
      .set('Authorization', `Bearer ${await token(signingKey)}`)
      .expect(200);
  });

  it('refuses another key, another audience or issuer, and embedded tokens', async () => {
    const { privateKey: other } = await generateKeyPair('ES256');
    await t.http
      .get('/v1/projections')
      .set('Authorization', `Bearer ${await token(other)}`)
      .expect(401);
    await t.http
      .get('/v1/projections')
      .set('Authorization', `Bearer ${await token(signingKey, { aud: 'someone-else' })}`)
      .expect(401);
    await t.http
      .get('/v1/projections')
      .set('Authorization', `Bearer ${await token(signingKey, { iss: 'https://evil.example' })}`)
      .expect(401);
    await expect(t.systemToken('police', ['urn:throughline:police:custody'])).rejects.toThrow(
      /identity provider/,
    );
  });
});
