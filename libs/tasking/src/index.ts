export * from './domain/board';
export * from './domain/disclosure';
export * from './features/tasking.service';
export * from './tasking.module';
