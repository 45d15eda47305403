import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ISSUING_AGENCIES } from '@throughline/domain';
import { parseAgreement } from '../domain/agreement';
import { AGREEMENT_LOADED, agreementOf } from './agreement-events';

const SHIPPED = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);

describe('agreementOf', () => {
  it('given a load event from before partnership reviewers, reads it as naming none', () => {
    const { partnershipReviewers: _dropped, ...breakGlass } = SHIPPED.breakGlass;
    const earlier = { ...SHIPPED, breakGlass };
    const agreement = agreementOf({
      type: AGREEMENT_LOADED,
      data: { agreement: earlier, loadedBy: 'system' },
    });
    expect(agreement?.breakGlass).toEqual({ ...breakGlass, partnershipReviewers: [] });
  });

  it('given a load event naming partnership reviewers, keeps them', () => {
    const agreement = agreementOf({
      type: AGREEMENT_LOADED,
      data: { agreement: SHIPPED, loadedBy: 'system' },
    });
    expect(agreement?.breakGlass.partnershipReviewers).toEqual([{ agency: 'partnership', role: 'ig-lead' }]);
  });

  it('given another event, reads no agreement', () => {
    expect(agreementOf({ type: 'iom.subject.registered.v1', data: {} })).toBeUndefined();
  });
});

describe('agreementOf and the role section', () => {
  it('given a load event from before the role section, reads it with roles null', () => {
    const { roles: _dropped, ...earlier } = SHIPPED;
    const agreement = agreementOf({
      type: AGREEMENT_LOADED,
      data: { agreement: earlier, loadedBy: 'system' },
    });
    expect(agreement?.roles).toBeNull();
  });

  it('given a load event with the role section, keeps it', () => {
    const agreement = agreementOf({
      type: AGREEMENT_LOADED,
      data: { agreement: SHIPPED, loadedBy: 'system' },
    });
    expect(agreement?.roles?.mentor).toEqual({
      subjects: ['case-management', 'safeguarding', 'continuity-of-care'],
    });
  });
});

describe('agreementOf and the identifier issuers', () => {
  it('given a load event from before the issuers, reads it with the default issuers', () => {
    const { identifiers: _dropped, ...earlier } = SHIPPED;
    const agreement = agreementOf({
      type: AGREEMENT_LOADED,
      data: { agreement: earlier, loadedBy: 'system' },
    });
    expect(agreement?.identifiers).toEqual(DEFAULT_ISSUING_AGENCIES);
  });

  it('given a load event naming issuers, keeps them', () => {
    const agreement = agreementOf({
      type: AGREEMENT_LOADED,
      data: {
        agreement: { ...SHIPPED, identifiers: { ...SHIPPED.identifiers, nhs: 'voluntary' } },
        loadedBy: 'system',
      },
    });
    expect(agreement?.identifiers.nhs).toBe('voluntary');
  });
});
