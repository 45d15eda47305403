import { loadConfig, ProblemException, TooManyRequestsException } from '@throughline/platform';
import { Admission } from './admission';
import type { AuthenticatedRequest } from './auth.guard';
import { CredentialLimits } from './credential-limits';
import type { Principal } from './principal';

const officer: Principal = { kind: 'person', id: 'pc-1', agency: 'police', role: 'iom-officer', sources: [] };

function admission(): Admission {
  const config = loadConfig({ RATE_LIMIT_REQUESTS_PER_SECOND: '1', RATE_LIMIT_REQUESTS_BURST: '2' });
  return new Admission(new CredentialLimits(config, () => 0));
}

const requestWith = (query: Record<string, unknown>): AuthenticatedRequest =>
  ({ query, headers: { authorization: 'Bearer token-1' } }) as unknown as AuthenticatedRequest;

const thrown = (admit: () => void): unknown => {
  try {
    admit();
    return undefined;
  } catch (error) {
    return error;
  }
};

describe('Admission', () => {
  it('sets the principal and charges the credential a request each time', () => {
    const gate = admission();
    const request = requestWith({});
    gate.admit(request, officer);
    expect(request.principal).toBe(officer);
    gate.admit(requestWith({}), officer);
    expect(thrown(() => gate.admit(requestWith({}), officer))).toBeInstanceOf(TooManyRequestsException);
  });

  it('refuses a repeated parameter once the principal is known, having charged the request', () => {
    const gate = admission();
    const request = requestWith({ band: ['red', 'amber'] });
    const error = thrown(() => gate.admit(request, officer));

    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).problem).toMatchObject({ status: 400, errors: [{ field: 'band' }] });
    // The refusal is recorded with the principal, so it is set before the rule is applied.
    expect(request.principal).toBe(officer);
    gate.admit(requestWith({}), officer);
    expect(thrown(() => gate.admit(requestWith({}), officer))).toBeInstanceOf(TooManyRequestsException);
  });
});
