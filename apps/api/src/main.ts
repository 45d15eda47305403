import { Logger } from '@nestjs/common';
import { TokenService } from '@throughline/auth';
import { DataDirLock, loadConfig, stopOnSignals } from '@throughline/platform';
import { type BoundedFastifyAdapter, createApi } from './create-api';
import { ServingState } from './serving-state';

const DEMO_LOADING = 'The demo partnership is loading';

export async function serve(options: { readonly demo?: boolean } = {}): Promise<void> {
  const config = loadConfig();
  DataDirLock.forEmbedded(config, 'serve');
  const app = await createApi(config);
  const serving = app.get(ServingState);
  const demo = options.demo ? new AbortController() : undefined;
  // Held before listening, so no request finds the API ready with the demo half loaded.
  if (demo) serving.hold(DEMO_LOADING);
  let demoLoaded: Promise<unknown> = Promise.resolve();
  const http = app.getHttpAdapter() as BoundedFastifyAdapter;
  const logger = new Logger('Throughline');
  stopOnSignals({
    graceMs: config.shutdownGraceSeconds * 1000,
    unfinished: () => [
      ...http.unfinishedRequests(),
      ...(serving.notServing === DEMO_LOADING ? ['the demo load'] : []),
    ],
    stop: async (signal) => {
      serving.hold(`Stopping on ${signal}`);
      demo?.abort();
      await demoLoaded;
      // HTTP first (the adapter drains), then projections release their leases, then the stores close.
      await app.close();
      logger.log('Stores closed');
    },
  });
  // Made before the first request, so `throughline token` on this DATA_DIR signs with it.
  const keyFile = await app.get(TokenService).ensureEmbeddedKey();
  await app.listen(config.port, config.host);
  const shown = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.log(`API listening on http://${shown}:${config.port} (docs at /docs), data in ${config.dataDir}`);
  if (keyFile)
    logger.log(`Embedded tokens: throughline token signs with ${keyFile} (DATA_DIR ${config.dataDir})`);
  if (demo) {
    const { loadDemoPartnership } = await import('@throughline/demo');
    const loading = loadDemoPartnership(app, { signal: demo.signal });
    demoLoaded = loading.catch(() => undefined);
    try {
      const loaded = await loading;
      serving.release(DEMO_LOADING);
      logger.log(
        `Demo partnership ready: ${loaded.stored} new events stored, ${loaded.duplicates} already present`,
      );
    } catch (error) {
      if (!demo.signal.aborted) throw error;
      logger.log('Demo load stopped part way; loading it again stores only what is missing');
    }
  }
}

if (require.main === module) {
  serve({ demo: process.argv.includes('--demo') }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
