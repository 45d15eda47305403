/**
 * Agency ids are the defaults or ones a partnership configures, so fields naming an agency are checked
 * by shape rather than against a closed list.
 */
export const AGENCY_ID_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;

/** Correlation ids chosen by the publishing system (appointments, actions, concerns, consents). */
export const LOCAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
