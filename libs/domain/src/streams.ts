/** The one place that names stream categories. */
export const SUBJECT_STREAM_PREFIX = 'subject-';
export const subjectStream = (subjectId: string): string => `${SUBJECT_STREAM_PREFIX}${subjectId}`;
export const subjectIdOfStream = (streamId: string): string | undefined =>
  streamId.startsWith(SUBJECT_STREAM_PREFIX) ? streamId.slice(SUBJECT_STREAM_PREFIX.length) : undefined;

export const PARTNERSHIP_STREAM = 'partnership';
