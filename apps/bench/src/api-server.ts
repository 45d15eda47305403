import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { type INestApplication, ShutdownSignal } from '@nestjs/common';
import { createApi, type ProjectionsMode } from '../../api/src/create-api';
import { TokenService } from '@throughline/auth';
import { DEMO_SOURCES } from '@throughline/demo';
import type { DefaultAgency } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { loadConfig } from '@throughline/platform';
import { type ApiEnv, CAPACITY_LIMITS } from './backends';
import { ProjectionRunner } from '@throughline/projections';

/** The signals Nest's shutdown hooks listen to. */
const SIGNALS = Object.values(ShutdownSignal) as NodeJS.Signals[];

export interface RunningApi {
  readonly app: INestApplication;
  readonly baseUrl: string;
  /** Each agency's system token, bound to its demo sources. */
  readonly systemTokens: ReadonlyMap<DefaultAgency, string>;
  readonly mintPerson: (agency: string, role: string, user: string) => Promise<string>;
  /** Resolves once the API's projections have applied the whole log. */
  readonly projectionsCaughtUp: (timeoutMs: number) => Promise<void>;
  readonly close: () => Promise<void>;
}

/**
 * Starts the production API in this process on a free port of 127.0.0.1, configured from the
 * environment a deployment would set; projections run on their own thread as on the embedded default, or
 * are left to a worker as a scaled deployment does. Logging is off: per-request log lines would
 * flood the output (production logs at info, so the figures leave out the cost of writing them).
 */
export async function startApi(
  env: ApiEnv,
  options: { readonly projections: ProjectionsMode; readonly limits?: 'capacity' | 'defaults' },
): Promise<RunningApi> {
  const limits = options.limits === 'defaults' ? {} : CAPACITY_LIMITS;
  const config = loadConfig({ ...env, ...limits, LOG_LEVEL: 'silent' });
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const app = await createApi(config, options);
  // createApi hooks shutdown to the process's signals, which closes the app and re-raises the
  // signal, killing the bench before it has dropped its database and removed its files. The bench
  // closes the API itself when interrupted, so those hooks are taken off again.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const tokens = app.get(TokenService);
  const systemTokens = new Map<DefaultAgency, string>();
  for (const [agency, sources] of Object.entries(DEMO_SOURCES) as [DefaultAgency, readonly string[]][]) {
    systemTokens.set(agency, await tokens.mint({ agency, system: true, sources, ttlSeconds: 3600 }));
  }
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    systemTokens,
    mintPerson: (agency, role, user) => tokens.mint({ agency, role, user, ttlSeconds: 3600 }),
    projectionsCaughtUp: async (timeoutMs) =>
      app.get(ProjectionRunner).waitFor(await app.get(EventStore).headPosition(), timeoutMs),
    close: () => app.close(),
  };
}
