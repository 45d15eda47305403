export * from './web.module';
