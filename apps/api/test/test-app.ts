import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { TokenService } from '@throughline/auth';
import { loadConfig, type ThroughlineConfig } from '@throughline/platform';
import { ProjectionRunner } from '@throughline/projections';
import { createApi } from '../src/create-api';

export interface TestApp {
  readonly app: INestApplication;
  readonly config: ThroughlineConfig;
  readonly http: ReturnType<typeof request>;
  systemToken(agency: string, sources: readonly string[]): Promise<string>;
  personToken(agency: string, role: string, user?: string): Promise<string>;
  /** Waits until every projection has applied the log up to its current head. */
  settle(): Promise<void>;
  /** Stops the app; the data directory survives only when `keepData` is set (restart tests). */
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Tests post and read as fast as the machine goes with one credential each, so they raise the fair
 * use limits out of the way; a test of the limits sets its own.
 */
const UNLIMITED: NodeJS.ProcessEnv = {
  RATE_LIMIT_REQUESTS_PER_SECOND: '1000000',
  RATE_LIMIT_REQUESTS_BURST: '1000000',
  RATE_LIMIT_EVENTS_PER_SECOND: '1000000',
  RATE_LIMIT_EVENTS_BURST: '1000000',
  SUBJECT_EVENTS_PER_DAY: '1000000',
};

/** The real application on a fresh SQLite data directory (or the given environment). */
export async function startTestApp(env: NodeJS.ProcessEnv = {}, keepDataDir?: string): Promise<TestApp> {
  const dataDir = keepDataDir ?? mkdtempSync(join(tmpdir(), 'throughline-e2e-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...UNLIMITED, ...env });
  const app = await createApi(config, { projections: 'inline' });
  const tokens = new TokenService(config);
  const runner = app.get(ProjectionRunner);
  return {
    app,
    config,
    http: request(app.getHttpServer()),
    systemToken: (agency, sources) => tokens.mint({ agency, system: true, sources }),
    personToken: (agency, role, user = `${agency}-${role}-${randomUUID().slice(0, 8)}`) =>
      tokens.mint({ agency, role, user }),
    settle: async () => {
      const head = (await runner.status())[0]?.head ?? 0;
      await runner.waitFor(head);
    },
    close: async (options) => {
      await app.close();
      if (!options?.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
