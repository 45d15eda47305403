import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** Matches the listener in server.properties; kafka.sh always binds here. */
export const LOCAL_BROKER = '127.0.0.1:9092';

const SCRIPT = join(__dirname, 'kafka.sh');

// The first start downloads the jars with Maven, and the script itself waits up to 60 s for
// readiness, so this only catches a wedged script, never a slow-but-healthy one.
const SCRIPT_TIMEOUT_MS = 5 * 60_000;

export interface KafkaBroker {
  /** Bootstrap addresses in `host:port` form, ready for `new Kafka({ brokers })`. */
  readonly brokers: string[];
  /** Stops the broker if this call started it; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Provides a real Kafka broker for tests.
 *
 * KAFKA_BROKERS wins when set, so CI or a developer can point tests at any cluster. A broker
 * already listening locally is reused and left running for whoever started it; otherwise one is
 * started with kafka.sh and stopped again by `stop()`.
 */
export async function startKafka(): Promise<KafkaBroker> {
  const fromEnv = parseBrokers(process.env.KAFKA_BROKERS);
  if (fromEnv.length > 0) {
    return { brokers: fromEnv, stop: async () => {} };
  }

  // kafka.sh decides (under a lock, so concurrent runs agree) whether a broker was already up.
  const output = await kafkaSh('start');
  if (/^kafka: reusing /m.test(output)) {
    return { brokers: [LOCAL_BROKER], stop: async () => {} };
  }
  let stopping: Promise<void> | undefined;
  return {
    brokers: [LOCAL_BROKER],
    stop: () => (stopping ??= kafkaSh('stop').then(() => undefined)),
  };
}

export function parseBrokers(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

function kafkaSh(command: 'start' | 'stop'): Promise<string> {
  return new Promise((resolve, reject) => {
    // Invoked through bash so a checkout that lost the executable bit still works.
    execFile('bash', [SCRIPT, command], { timeout: SCRIPT_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) {
        const why = error.killed ? `killed after ${SCRIPT_TIMEOUT_MS} ms` : `exit code ${String(error.code)}`;
        const output = [stdout, stderr].filter((s) => s.trim().length > 0).join('\n');
        reject(new Error(`kafka.sh ${command} failed (${why})\n${output}`));
        return;
      }
      resolve(stdout);
    });
  });
}
