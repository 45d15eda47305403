export * from './domain/agreement';
export * from './domain/break-glass';
export * from './domain/sharing-state';
export * from './domain/policy';
export * from './agreement/agreement-events';
export * from './agreement/agreement.service';
export * from './features/break-glass-review/review-break-glass.command';
export * from './sharing.module';
