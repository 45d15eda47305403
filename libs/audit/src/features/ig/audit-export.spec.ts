import type { AuditRecord } from '../../domain/disclosure';
import { CSV_HEADER, toCsvLine } from './audit-export';

const record = (user: string, requestId: string | null): AuditRecord => ({
  seq: 7,
  content: {
    id: 'rec-7',
    at: '2026-01-02T03:04:05.000Z',
    requestId,
    principal: { kind: 'person', user, agency: 'police', role: 'iom-officer' },
    action: 'subject.view',
    outcome: 'disclosed',
    purpose: 'tasking',
    agreementVersion: '2026-01',
    subjects: [],
    refusal: null,
  },
  contentHash: 'c'.repeat(64),
  prevHash: 'p'.repeat(64),
  hash: 'h'.repeat(64),
});

describe('the CSV register', () => {
  it('writes a user id or request id that could start a formula as inert text', () => {
    const line = toCsvLine(record('=HYPERLINK("http://evil.example")', '@SUM(1)'));
    expect(line).toContain('"\'=HYPERLINK(""http://evil.example"")"');
    expect(line).toContain('"\'@SUM(1)"');
    expect(line).not.toMatch(/(^|,)[=+\-@]/);
  });

  it('quotes the header as it quotes each line, one column per field', () => {
    expect(CSV_HEADER.startsWith('"seq","id","at",')).toBe(true);
    expect(toCsvLine(record('+44', '-1')).split('","').length).toBe(CSV_HEADER.split('","').length);
  });
});
