import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, type JWK, type KeyLike, SignJWT } from 'jose';
import { startTestApp, type TestApp } from './test-app';
import { startTestIdp, type TestIdp } from './test-idp';

const CLAIMS = { agency: 'police', role: 'partnership-admin' };

describe('tokens must expire', () => {
  describe('embedded mode', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp();
    });
    afterAll(() => t.close());

    it('refuses a token signed with the embedded key but carrying no exp, naming why', async () => {
      // Minting once creates the key, which a forger holding it could sign anything with.
      await t.personToken('police', 'partnership-admin');
      const stored = JSON.parse(
        readFileSync(join(t.config.dataDir, 'keys', 'jwt-signing-key.json'), 'utf8'),
      ) as JWK & { kid: string };
      const forever = await new SignJWT(CLAIMS)
        .setProtectedHeader({ alg: 'EdDSA', kid: stored.kid })
        .setSubject('admin-1')
        .setIssuer('throughline')
        .setAudience('throughline')
        .setIssuedAt()
        .sign(await importJWK(stored, 'EdDSA'));
      const refused = await t.http
        .get('/v1/projections')
        .set('Authorization', `Bearer ${forever}`)
        .expect(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body.detail).toMatch(/no expiry/);
    });

    it('accepts the tokens it mints, which expire', async () => {
      const token = await t.personToken('police', 'partnership-admin');
      const [, payload] = token.split('.');
      expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toHaveProperty('exp');
      await t.http.get('/v1/projections').set('Authorization', `Bearer ${token}`).expect(200);
    });
  });

  describe('production mode (JWT_JWKS_URL)', () => {
    let idp: TestIdp;
    let t: TestApp;
    let key: KeyLike;

    beforeAll(async () => {
      idp = await startTestIdp();
      key = idp.signingKey;
      t = await startTestApp({ ...idp.env, JWT_MAX_LIFETIME_SECONDS: '3600' });
    });
    afterAll(async () => {
      await t.close();
      await idp.close();
    });

    const signed = (shape: { iat?: number; exp?: string | number }) => {
      const jwt = new SignJWT(CLAIMS)
        .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
        .setSubject('admin-1')
        .setIssuer('https://idp.example')
        .setAudience('throughline-api');
      if (shape.iat !== undefined) jwt.setIssuedAt(shape.iat);
      if (shape.exp !== undefined) jwt.setExpirationTime(shape.exp);
      return jwt.sign(key);
    };
    const call = async (token: string, status: number) =>
      (
        await t.http
          .get('/v1/projections')
          .set('Authorization', `Bearer ${token}`)
          .expect(status)
          .expect('Content-Type', status === 200 ? /json/ : /^application\/problem\+json/)
      ).body as { detail?: string };
    const now = () => Math.floor(Date.now() / 1000);

    it('accepts a token within the configured lifetime', async () => {
      await call(await signed({ iat: now(), exp: '30m' }), 200);
      await call(await signed({ exp: '30m' }), 200);
    });

    it('refuses a token with no exp', async () => {
      expect((await call(await signed({ iat: now() }), 401)).detail).toMatch(/no expiry/);
    });

    it('refuses a token that lives longer than JWT_MAX_LIFETIME_SECONDS, with or without iat', async () => {
      expect((await call(await signed({ iat: now(), exp: '2h' }), 401)).detail).toMatch(
        /longer than the 3600 s allowed/,
      );
      expect((await call(await signed({ exp: '2h' }), 401)).detail).toMatch(/longer than the 3600 s allowed/);
      expect((await call(await signed({ iat: now() - 86_400, exp: '10m' }), 401)).detail).toMatch(
        /longer than the 3600 s allowed/,
      );
    });
  });
});
