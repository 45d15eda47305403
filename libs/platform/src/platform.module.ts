import { type DynamicModule, Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import { loadConfig, THROUGHLINE_CONFIG, type ThroughlineConfig } from './config';
import { Metrics } from './metrics';
import { tightenPrivateTree } from './private-files';

/** Provides the configuration and the metrics registry to every module. */
@Global()
@Module({})
export class PlatformModule implements OnModuleInit {
  constructor(@Inject(THROUGHLINE_CONFIG) private readonly config: ThroughlineConfig) {}

  static forRoot(config: ThroughlineConfig = loadConfig()): DynamicModule {
    return {
      module: PlatformModule,
      providers: [{ provide: THROUGHLINE_CONFIG, useValue: config }, Metrics],
      exports: [THROUGHLINE_CONFIG, Metrics],
    };
  }

  /** Every process (API, worker, CLI) closes up a data directory left readable by a looser past. */
  onModuleInit(): void {
    tightenPrivateTree(this.config.dataDir);
  }
}
