import { Logger } from '@nestjs/common';
import { DataDirLock, loadConfig } from '@throughline/platform';
import { createApi } from './create-api';

export async function serve(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  const config = loadConfig();
  DataDirLock.forEmbedded(config, 'serve');
  const app = await createApi(config);
  await app.listen(config.port, config.host);
  const logger = new Logger('Throughline');
  const shown = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.log(`API listening on http://${shown}:${config.port} (docs at /docs), data in ${config.dataDir}`);
  if (args.includes('--demo')) {
    const { loadDemoPartnership } = await import('@throughline/demo');
    const loaded = await loadDemoPartnership(app);
    logger.log(
      `Demo partnership ready: ${loaded.stored} new events stored, ${loaded.duplicates} already present`,
    );
  }
}

if (require.main === module) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
