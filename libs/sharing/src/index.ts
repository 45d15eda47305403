export * from './domain/agreement';
export * from './domain/break-glass';
export * from './domain/sharing-state';
export * from './domain/policy';
export * from './agreement/agreement-events';
export * from './agreement/agreement.service';
export * from './sharing.module';
