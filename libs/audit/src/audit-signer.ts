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

/** Signs audit checkpoints with an Ed25519 key kept under DATA_DIR; the public key is published. */
export class AuditSigner {
  readonly keyId: string;
  readonly publicKeyPem: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(file: string) {
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      // Created private; an existing directory is the operator's (the key may live outside DATA_DIR).
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      try {
        writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
      } catch (error) {
        // Another process created it first; use theirs.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    this.privateKey = createPrivateKey(readFileSync(file));
    this.publicKey = createPublicKey(this.privateKey);
    this.publicKeyPem = this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = createHash('sha256')
      .update(this.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')
      .slice(0, 16);
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
