import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import type { ThroughlineConfig } from '@throughline/platform';
import { AuditSigner, keyIdOf } from './audit-signer';

/** A signing key that should be there and is not, or may not be used: the message names the setting. */
export class MissingAuditKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingAuditKeyError';
  }
}

export interface PublicAuditKey {
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly key: KeyObject;
}

const within = (dir: string, file: string): boolean => {
  const path = relative(dir, file);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
};

type AuditKeyConfig = Pick<
  ThroughlineConfig,
  'dataDir' | 'databaseUrl' | 'auditSigningKeyFile' | 'auditPublicKeysDir'
>;

/**
 * Where the signing key is, and whether this deployment may make one. Server mode (PostgreSQL)
 * takes a key supplied from outside DATA_DIR; embedded mode defaults to one under DATA_DIR and
 * may create it on first start (decision 0024).
 */
export function auditKeySettings(config: AuditKeyConfig): {
  readonly file: string | undefined;
  /** Why no key may be read from `file`, when none may. */
  readonly problem: string | undefined;
  readonly mayCreate: boolean;
} {
  if (!config.databaseUrl) {
    return {
      file: config.auditSigningKeyFile ?? join(config.dataDir, 'keys', 'audit-signing-key.pem'),
      problem: undefined,
      mayCreate: true,
    };
  }
  const file = config.auditSigningKeyFile;
  if (!file)
    return {
      file: undefined,
      problem:
        'AUDIT_SIGNING_KEY_FILE is not set: in server mode (DATABASE_URL) the audit signing key must be supplied, an Ed25519 private key (PEM) kept outside DATA_DIR',
      mayCreate: false,
    };
  if (within(config.dataDir, file))
    return {
      file: undefined,
      problem: `AUDIT_SIGNING_KEY_FILE (${file}) is inside DATA_DIR (${config.dataDir}): whoever holds DATA_DIR could rewrite the audit log and sign it again. Keep the key on other storage`,
      mayCreate: false,
    };
  return { file, problem: undefined, mayCreate: false };
}

/**
 * The keys of one audit log: the signing key (when this process has it) and the public keys of
 * earlier signing keys, each known by its id, so that a checkpoint verifies under the key that
 * signed it after a rotation. Never creates a key.
 */
export class AuditKeyring {
  private readonly byId = new Map<string, PublicAuditKey>();

  private constructor(
    readonly signer: AuditSigner | undefined,
    /** Why there is no signer. */
    readonly signerProblem: string | undefined,
    private readonly publicKeysDir: string | undefined,
  ) {}

  static load(config: AuditKeyConfig): AuditKeyring {
    const { file, problem } = auditKeySettings(config);
    const dir = config.auditPublicKeysDir;
    if (dir && config.databaseUrl && within(config.dataDir, dir))
      throw new MissingAuditKeyError(
        `AUDIT_PUBLIC_KEYS_DIR (${dir}) is inside DATA_DIR (${config.dataDir}): whoever holds DATA_DIR could add a key of their own. Keep it on other storage`,
      );
    let signer: AuditSigner | undefined;
    let signerProblem = problem;
    if (file && !problem) {
      if (existsSync(file)) signer = AuditSigner.fromFile(file);
      else signerProblem = `AUDIT_SIGNING_KEY_FILE: there is no audit signing key at ${file}`;
    }
    const keyring = new AuditKeyring(signer, signerProblem, dir);
    if (signer) keyring.add(signer.publicKey);
    if (dir) {
      if (!existsSync(dir))
        throw new MissingAuditKeyError(`AUDIT_PUBLIC_KEYS_DIR: there is no directory ${dir}`);
      for (const name of readdirSync(dir).sort()) {
        if (!name.endsWith('.pem')) continue;
        try {
          keyring.add(createPublicKey(readFileSync(join(dir, name))));
        } catch (error) {
          throw new MissingAuditKeyError(
            `AUDIT_PUBLIC_KEYS_DIR: ${join(dir, name)} is not a public key (${(error as Error).message})`,
          );
        }
      }
    }
    return keyring;
  }

  private add(key: KeyObject): void {
    const publicKey = key.type === 'private' ? createPublicKey(key) : key;
    const keyId = keyIdOf(publicKey);
    this.byId.set(keyId, {
      keyId,
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      key: publicKey,
    });
  }

  get(keyId: string): PublicAuditKey | undefined {
    return this.byId.get(keyId);
  }

  /** The signing key's public half first, then the earlier ones. */
  all(): PublicAuditKey[] {
    return [...this.byId.values()];
  }

  /** Why a checkpoint signed by `keyId` cannot be checked here, naming the settings that would hold its key. */
  unknownKey(keyId: string): string {
    const signing = this.signer
      ? `the signing key is ${this.signer.keyId}`
      : (this.signerProblem ?? 'there is no signing key');
    const earlier = this.publicKeysDir
      ? `AUDIT_PUBLIC_KEYS_DIR (${this.publicKeysDir}) holds no key with that id`
      : 'AUDIT_PUBLIC_KEYS_DIR is not set';
    return `the checkpoint is signed by key ${keyId}, which is not a key of this log: ${signing}, and ${earlier}`;
  }
}
