import { loadConfig, TooManyRequestsException } from '@throughline/platform';
import { CredentialLimits } from './credential-limits';
import type { Principal } from './principal';

const person = (id: string, agency = 'police'): Principal => ({
  kind: 'person',
  id,
  agency,
  role: 'iom-officer',
  sources: [],
});

function limits(): { limits: CredentialLimits; advance: (ms: number) => void } {
  let now = 0;
  const config = loadConfig({
    RATE_LIMIT_REQUESTS_PER_SECOND: '1',
    RATE_LIMIT_REQUESTS_BURST: '2',
    RATE_LIMIT_EVENTS_PER_SECOND: '10',
    RATE_LIMIT_EVENTS_BURST: '10',
  });
  return { limits: new CredentialLimits(config, () => now), advance: (ms) => (now += ms) };
}

const refusal = (charge: () => void): TooManyRequestsException | undefined => {
  try {
    charge();
    return undefined;
  } catch (error) {
    if (error instanceof TooManyRequestsException) return error;
    throw error;
  }
};

describe('CredentialLimits', () => {
  it('keys a credential by kind, agency and id', () => {
    const { limits: l } = limits();
    l.chargeRequest(person('u1'));
    l.chargeRequest(person('u1'));
    expect(refusal(() => l.chargeRequest(person('u1')))?.retryAfterSeconds).toBe(1);
    expect(refusal(() => l.chargeRequest(person('u1', 'probation')))).toBeUndefined();
    expect(refusal(() => l.chargeRequest(person('u2')))).toBeUndefined();
  });

  it('charges a batch its events and refuses it whole', () => {
    const { limits: l, advance } = limits();
    l.chargeEvents(person('system'), 8);
    const refused = refusal(() => l.chargeEvents(person('system'), 5));
    expect(refused?.problem).toMatchObject({ status: 429, limit: 'events', perSecond: 10, burst: 10 });
    expect(refused?.retryAfterSeconds).toBe(1);
    advance(300);
    expect(refusal(() => l.chargeEvents(person('system'), 5))).toBeUndefined();
  });

  it('refuses early, charging nothing, only a token already seen whose credential has nothing left', () => {
    const { limits: l, advance } = limits();
    const header = 'Bearer token-of-u1';
    expect(l.refuseEarly(header, false)).toBeUndefined();
    l.chargeRequest(person('u1'), header);
    expect(l.refuseEarly(header, false)).toBeUndefined();
    l.chargeRequest(person('u1'), header);
    expect(l.refuseEarly(header, false)?.retryAfterSeconds).toBe(1);
    expect(l.refuseEarly('Bearer another-token', false)).toBeUndefined();
    advance(1_000);
    expect(l.refuseEarly(header, false)).toBeUndefined();
    // Publishing also needs an event left.
    l.chargeEvents(person('u1'), 10);
    expect(l.refuseEarly(header, true)?.problem).toMatchObject({ limit: 'events' });
    expect(l.refuseEarly(header, false)).toBeUndefined();
  });
});
