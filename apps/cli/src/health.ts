import { Heartbeat, loadConfig } from '@throughline/platform';

/** The worker's health check (docker-compose.yml): a module of its own, so it loads no Nest. */
export async function healthCommand(options: { maxAge: number }): Promise<void> {
  const config = loadConfig();
  const check = Heartbeat.check(config.dataDir, 'worker', options.maxAge);
  if (!check.ok) throw new Error(`Unhealthy: ${check.reason}`);
  console.log(`Healthy: the worker (pid ${check.pid}) beat ${check.ageSeconds.toFixed(1)} s ago`);
}
