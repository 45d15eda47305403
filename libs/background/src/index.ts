export * from './background.module';
export * from './projections-thread';
