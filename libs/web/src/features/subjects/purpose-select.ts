import type { PurposeOfUse } from '@throughline/domain';
import { html, type SafeHtml } from '../../html/html';
import { PRACTITIONER_PURPOSES } from './subject-query';

/** Every read states why; the choice is part of the audit record. */
export function purposeSelect(current: PurposeOfUse): SafeHtml {
  const options = PRACTITIONER_PURPOSES.includes(current)
    ? PRACTITIONER_PURPOSES
    : [...PRACTITIONER_PURPOSES, current];
  return html`<div class="field">
    <label for="f-purpose">Purpose of use</label>
    <select id="f-purpose" name="purpose">
      ${options.map(
        (purpose) =>
          html`<option value="${purpose}" ${purpose === current ? html`selected` : ''}>${purpose}</option>`,
      )}
    </select>
  </div>`;
}
