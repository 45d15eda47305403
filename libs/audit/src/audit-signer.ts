import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkpointPayload } from './domain/chain';
import type { AuditCheckpoint } from './domain/disclosure';

/** A key's id: the first 16 hex digits of SHA-256 over its public key (SPKI DER), the same for anyone who holds it. */
export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);

/** Signs audit checkpoints with an Ed25519 key; the public key is published. */
export class AuditSigner {
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly publicKey: KeyObject;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error(`the audit signing key must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
    this.publicKey = createPublicKey(privateKey);
    this.publicKeyPem = this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = keyIdOf(this.publicKey);
  }

  /** Reads a PEM (PKCS #8) private key; never creates one. */
  static fromFile(file: string): AuditSigner {
    return new AuditSigner(createPrivateKey(readFileSync(file)));
  }

  sign(seq: number, hash: string, at: string): AuditCheckpoint {
    const unsigned = { seq, hash, at, keyId: this.keyId };
    return {
      ...unsigned,
      signature: sign(null, Buffer.from(checkpointPayload(unsigned)), this.privateKey).toString('base64url'),
    };
  }

  verify(checkpoint: AuditCheckpoint): boolean {
    return verifyCheckpoint(checkpoint, this.publicKey);
  }
}

/**
 * Writes a new Ed25519 private key to `file`, readable by its owner only, unless a key is there
 * already (another process made it first): the one there is kept.
 */
export function createAuditSigningKey(file: string): void {
  const { privateKey } = generateKeyPairSync('ed25519');
  // Created private; an existing directory is the operator's.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * `throughline audit key FILE`: the key at FILE, made first when there is none (a deployment's
 * one-off step, or a rotation's new key).
 */
export function ensureAuditSigningKey(file: string): {
  readonly created: boolean;
  readonly keyId: string;
  readonly publicKeyPem: string;
} {
  const existed = existsSync(file);
  if (!existed) createAuditSigningKey(file);
  const { keyId, publicKeyPem } = AuditSigner.fromFile(file);
  return { created: !existed, keyId, publicKeyPem };
}

/** What a third party runs with the published key: no secret needed. */
export function verifyCheckpoint(checkpoint: AuditCheckpoint, publicKey: KeyObject | string): boolean {
  try {
    const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
    return verify(
      null,
      Buffer.from(checkpointPayload(checkpoint)),
      key,
      Buffer.from(checkpoint.signature, 'base64url'),
    );
  } catch {
    return false;
  }
}
