/** Test helpers for tests outside this lib (`@throughline/platform/testing`). */
export * from './postgres-database';
