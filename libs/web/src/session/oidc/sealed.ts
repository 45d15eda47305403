import { hkdfSync } from 'node:crypto';
import { EncryptJWT, type JWTPayload, jwtDecrypt } from 'jose';

/** What a sealed cookie is for: each purpose has its own key, so one cannot stand in for the other. */
export type SealPurpose = 'session' | 'sign-in';

const keyFor = (secret: string, purpose: SealPurpose): Uint8Array =>
  new Uint8Array(hkdfSync('sha256', secret, 'throughline-web', `throughline ${purpose} cookie`, 32));

/**
 * Encrypts and authenticates a cookie's content (JWE, direct A256GCM) with a key derived from the
 * shared OIDC_COOKIE_SECRET: the browser carries it, any API process can open it, none can be
 * forged or read without the secret. Expires at `expiresAt` (seconds since the epoch).
 */
export async function seal(
  secret: string,
  purpose: SealPurpose,
  content: Record<string, unknown>,
  expiresAt: number,
): Promise<string> {
  return new EncryptJWT(content)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setAudience(`throughline:${purpose}`)
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .encrypt(keyFor(secret, purpose));
}

/** The content of a sealed cookie, or null when it is not one of ours, was altered or has expired. */
export async function unseal(
  secret: string,
  purpose: SealPurpose,
  sealed: string,
): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtDecrypt(sealed, keyFor(secret, purpose), {
      audience: `throughline:${purpose}`,
      requiredClaims: ['exp'],
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return payload;
  } catch {
    return null;
  }
}
