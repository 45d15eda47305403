export * from './principal';
export * from './token.service';
export * from './auth.guard';
export * from './known-agencies';
export * from './role-gate';
export * from './principal.decorator';
export * from './auth.module';
export * from './credential-limits';
