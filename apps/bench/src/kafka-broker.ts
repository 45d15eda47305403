import { execFile } from 'node:child_process';
import type { Scratch } from './scratch';

/** kafka.sh binds here; it is the listener in infra/kafka/server.properties. */
const LOCAL_BROKER = '127.0.0.1:9092';
/** The first start may download the broker jars; the script itself waits 60 s at most for readiness. */
const START_TIMEOUT_MS = 5 * 60_000;
/** Below the clean-up's own 10 s limit, so a broker that ignores SIGTERM is still killed in time. */
const STOP_TIMEOUT_SECONDS = '8';

export interface BrokerInUse {
  readonly brokers: readonly string[];
  /** Where the brokers came from, for the figure's details. */
  readonly origin: string;
}

/**
 * The brokers the Kafka figures run against. KAFKA_BROKERS wins when set, so a run can be pointed
 * at a real cluster; otherwise infra/kafka/kafka.sh starts a throwaway single-node broker (as the
 * integration tests' global setup does), which the run's clean-up stops again. A broker that
 * kafka.sh finds already running belongs to someone else and is left running.
 */
export async function provideBroker(scratch: Scratch, script: string): Promise<BrokerInUse> {
  const fromEnv = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (fromEnv.length > 0) return { brokers: fromEnv, origin: `KAFKA_BROKERS (${fromEnv.join(', ')})` };
  // Until the start has said otherwise, the broker is taken to be the run's own: an interrupted
  // start most likely left one behind.
  let reused = false;
  scratch.defer('stop the Kafka broker', async () => {
    if (!reused) await kafkaSh(script, 'stop', { KAFKA_STOP_TIMEOUT: STOP_TIMEOUT_SECONDS });
  });
  const output = await kafkaSh(script, 'start');
  reused = /^kafka: reusing /m.test(output);
  return {
    brokers: [LOCAL_BROKER],
    origin: reused
      ? `the broker already running on ${LOCAL_BROKER} (left running)`
      : `a single-node KRaft broker on ${LOCAL_BROKER} started by infra/kafka/kafka.sh for this run`,
  };
}

function kafkaSh(script: string, command: 'start' | 'stop', env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    // Through bash, so a checkout that lost the executable bit still works.
    execFile(
      'bash',
      [script, command],
      { timeout: START_TIMEOUT_MS, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const why = error.killed ? `killed after ${START_TIMEOUT_MS} ms` : `exit code ${String(error.code)}`;
        const lastLines = `${stdout}\n${stderr}`.trim().split('\n').slice(-3).join(' / ');
        reject(new Error(`kafka.sh ${command} failed (${why}): ${lastLines}`));
      },
    );
  });
}
