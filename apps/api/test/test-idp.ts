import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type KeyLike } from 'jose';

/** An identity provider's JWKS endpoint on loopback, with the private key that signs its tokens. */
export interface TestIdp {
  readonly jwksUrl: string;
  readonly signingKey: KeyLike;
  /** The production settings that point the API at this provider. */
  readonly env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export const IDP_ISSUER = 'https://idp.example';
export const IDP_AUDIENCE = 'throughline-api';
export const IDP_KID = 'idp-1';

export async function startTestIdp(): Promise<TestIdp> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: IDP_KID, alg: 'ES256', use: 'sig' }] };
  const server = createServer((_, response) =>
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(jwks)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const jwksUrl = `http://127.0.0.1:${port}/jwks.json`;
  return {
    jwksUrl,
    signingKey: privateKey,
    env: { JWT_JWKS_URL: jwksUrl, JWT_ISSUER: IDP_ISSUER, JWT_AUDIENCE: IDP_AUDIENCE },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
