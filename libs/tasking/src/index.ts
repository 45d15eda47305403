export * from './domain/board';
export * from './domain/disclosure';
export * from './domain/measures';
export * from './features/measures/measures.service';
export * from './domain/releases';
export * from './features/read-board.query';
export * from './features/tasking.service';
export * from './tasking.module';
