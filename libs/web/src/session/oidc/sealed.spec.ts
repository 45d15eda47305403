import { seal, unseal } from './sealed';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const now = () => Math.floor(Date.now() / 1000);

describe('sealed cookies', () => {
  it('open with the same secret and purpose until they expire', async () => {
    const sealed = await seal(SECRET, 'session', { sub: 'om-204' }, now() + 60);
    expect(sealed).not.toContain('om-204');
    expect(await unseal(SECRET, 'session', sealed)).toMatchObject({ sub: 'om-204' });
    expect(
      await unseal(SECRET, 'session', await seal(SECRET, 'session', { sub: 'x' }, now() - 1)),
    ).toBeNull();
  });

  it('do not open with another secret, for another purpose, or altered', async () => {
    const sealed = await seal(SECRET, 'sign-in', { state: 's' }, now() + 60);
    expect(await unseal(`${SECRET}!`, 'sign-in', sealed)).toBeNull();
    expect(await unseal(SECRET, 'session', sealed)).toBeNull();
    const altered = `${sealed.slice(0, -3)}${sealed.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    expect(await unseal(SECRET, 'sign-in', altered)).toBeNull();
    expect(await unseal(SECRET, 'sign-in', 'not-a-cookie')).toBeNull();
  });
});
