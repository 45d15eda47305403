import { generateKeyPair, type KeyLike, SignJWT } from 'jose';
import { startTestApp, type TestApp } from './test-app';
import { startTestIdp, type TestIdp } from './test-idp';

/** Production mode: tokens come from the partnership's identity provider, verified against its JWKS. */
describe('tokens verified against JWT_JWKS_URL', () => {
  let idp: TestIdp;
  let t: TestApp;
  let signingKey: KeyLike;

  beforeAll(async () => {
    idp = await startTestIdp();
    signingKey = idp.signingKey;
    t = await startTestApp(idp.env);
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
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
