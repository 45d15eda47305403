import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { recipeDir } from './private-broker';

/** The SASL listener of infra/kafka/server-secure.properties (`kafka.sh start-secure`). */
export const LOCAL_SECURE_BROKER = '127.0.0.1:9192';

export interface SecureBroker {
  readonly brokers: string[];
  /**
   * One file per user (admin, worker, api and each agency) holding its password, the form a
   * container secret has: KAFKA_SASL_PASSWORD_FILE names one.
   */
  readonly secretsDir: string;
  /** Stops the broker if this call started it; safe to call more than once. */
  stop(): Promise<void>;
}

/** The longest `kafka.sh start-secure` may take; a suite's beforeAll allows a little more. */
export const START_TIMEOUT_MS = 240_000;

/** Whether a Java runtime is on the PATH (the broker recipe needs one). */
export const javaAvailable = (): boolean => spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;

const kafkaSh = (command: 'start-secure' | 'stop-secure'): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(
      'bash',
      [join(recipeDir(), 'kafka.sh'), command],
      // Within the suite's own bound (a first start downloads the jars, then waits for the broker
      // and grants the ACLs), so a wedged script is killed rather than outliving the test.
      { timeout: START_TIMEOUT_MS },
      (error, stdout, stderr) =>
        error ? reject(new Error(`kafka.sh ${command} failed: ${stderr || error.message}`)) : resolve(stdout),
    ),
  );

/**
 * The broker that authenticates clients (SASL/SCRAM-SHA-512) and authorises them by ACLs
 * (infra/kafka/acls.sh), beside the plain one on 9092. One already started by
 * `kafka.sh start-secure` is reused and left running; otherwise one is started and `stop()` stops it.
 */
export async function startSecureBroker(): Promise<SecureBroker> {
  const output = await kafkaSh('start-secure');
  const secretsDir = /credentials in (\S+?)\)/.exec(output)?.[1];
  if (!secretsDir) throw new Error(`kafka.sh start-secure did not say where the credentials are:\n${output}`);
  const brokers = [LOCAL_SECURE_BROKER];
  if (/^kafka: reusing /m.test(output)) return { brokers, secretsDir, stop: async () => {} };
  let stopping: Promise<void> | undefined;
  return {
    brokers,
    secretsDir,
    stop: () => (stopping ??= kafkaSh('stop-secure').then(() => undefined)),
  };
}
