import type { DataCategory } from '@throughline/domain';
import type { CategoryBasis, WithheldBasis } from '@throughline/sharing';
import { html, type SafeHtml } from '../../html/html';

/** What a withheld field says in place of a value: never a zero, a "no" or "nothing recorded". */
export const WITHHELD_TEXT: Readonly<Record<WithheldBasis, string>> = {
  'not-shared': 'Not shared with your agency',
  'consent-required': 'Shared only with consent; none in force for you',
  'safeguarding-only': 'Shared only while a safeguarding concern is open',
  restricted: 'Restricted by the agency that holds it: kept, but not to be used for this purpose',
};

export const BASIS_TEXT: Readonly<Record<CategoryBasis, string>> = {
  shared: 'Shared with your agency',
  consent: 'Shared with the person’s consent',
  safeguarding: 'Shared while a safeguarding concern is open',
  'break-glass': 'Opened to you by your break-glass claim',
  'shared-in-part': 'Shared in part; what is not shared is marked',
  ...WITHHELD_TEXT,
};

export const CATEGORY_TEXT: Readonly<Record<DataCategory, string>> = {
  identity: 'Identity',
  cohort: 'Cohort',
  offending: 'Offending',
  intelligence: 'Intelligence',
  custody: 'Custody',
  supervision: 'Supervision',
  risk: 'Risk',
  drugs: 'Drugs',
  health: 'Health',
  housing: 'Housing',
  ete: 'Education, training and employment',
  finance: 'Finance',
  family: 'Family',
  consent: 'Consent',
  safeguarding: 'Safeguarding',
};

export const withheldText = (basis: WithheldBasis): SafeHtml =>
  html`<span class="withheld">${WITHHELD_TEXT[basis]}</span>`;
