/** The one place that names stream categories. */
export const SUBJECT_STREAM_PREFIX = 'subject-';
export const subjectStream = (subjectId: string): string => `${SUBJECT_STREAM_PREFIX}${subjectId}`;
export const subjectIdOfStream = (streamId: string): string | undefined =>
  streamId.startsWith(SUBJECT_STREAM_PREFIX) ? streamId.slice(SUBJECT_STREAM_PREFIX.length) : undefined;

export const PARTNERSHIP_STREAM = 'partnership';

/** The partnership's tasking meetings: their opening and closing, about no one subject. */
export const MEETINGS_STREAM = 'tasking-meetings';
