import { type DynamicModule, Global, Module } from '@nestjs/common';
import { loadConfig, THROUGHLINE_CONFIG, type ThroughlineConfig } from './config';

/** Provides the configuration to every module. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: ThroughlineConfig = loadConfig()): DynamicModule {
    return {
      module: PlatformModule,
      providers: [{ provide: THROUGHLINE_CONFIG, useValue: config }],
      exports: [THROUGHLINE_CONFIG],
    };
  }
}
