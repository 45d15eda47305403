export * from './config';
export * from './problem';
export * from './problem.filter';
export * from './platform.module';
export * from './mutex';
export * from './worker-thread';
export * from './log-levels';
export * from './sqlite-checkpointer';
