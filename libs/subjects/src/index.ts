export * from './domain/subject-record';
export * from './domain/subject-view';
export * from './projections/subject-views.projection';
export * from './subjects.module';
export * from './features/read-subject/subject-reader';
export * from './domain/disclose';
export * from './features/disclosure-record';
