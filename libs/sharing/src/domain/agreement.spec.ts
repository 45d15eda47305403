import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DATA_CATEGORIES,
  DEFAULT_AGENCIES,
  DEFAULT_ISSUING_AGENCIES,
  isEventType,
  PURPOSES_OF_USE,
} from '@throughline/domain';
import {
  type Agreement,
  type AgreementProblem,
  InvalidAgreementError,
  isPartnershipAgency,
  parseAgreement,
  SHARE_BASES,
} from './agreement';

const SHIPPED = readFileSync(
  join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'),
  'utf8',
);

/** The 1-based line of the first line containing `needle`, found independently of the parser. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" is not in the agreement`);
  return index + 1;
}

/** Replaces exactly one occurrence, so a fixture cannot silently stop applying when the file changes. */
function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** Parses a text that must be refused: returns the problems, and proves nothing was returned. */
function refused(text: string): readonly AgreementProblem[] {
  let returned: Agreement | undefined;
  let thrown: unknown;
  try {
    returned = parseAgreement(text);
  } catch (error) {
    thrown = error;
  }
  expect(returned).toBeUndefined();
  expect(thrown).toBeInstanceOf(InvalidAgreementError);
  const problems = (thrown as InvalidAgreementError).problems;
  expect(problems.length).toBeGreaterThan(0);
  // The message carries every problem with its line, for the CLI to print as is.
  for (const problem of problems)
    expect((thrown as Error).message).toContain(`line ${problem.line}: ${problem.reason}`);
  return problems;
}

describe('the shipped default agreement', () => {
  const agreement = parseAgreement(SHIPPED);

  it('parses, with the six default partners, a bounded break-glass and the tasking meeting', () => {
    expect(agreement).toMatchObject({
      partnership: 'Default IOM partnership',
      version: '2025.1',
      agencies: [...DEFAULT_AGENCIES],
      breakGlass: { maxMinutes: 60 },
      taskingMeeting: { roles: ['tasking-chair'], purposes: ['tasking'] },
    });
    expect(agreement.breakGlass.roles).not.toContain('tasking-chair');
  });

  it("names the partnership's IG lead as the one reviewer beyond each agency's own", () => {
    expect(agreement.breakGlass.partnershipReviewers).toEqual([{ agency: 'partnership', role: 'ig-lead' }]);
    // A partner agency's IG lead reviews only its own agency's claims.
    expect(agreement.agencies).not.toContain('partnership');
  });

  it('names no partnership reviewers when the agreement says nothing of them', () => {
    const text = edit(SHIPPED, '  partnershipReviewers:\n    - { agency: partnership, role: ig-lead }\n', '');
    expect(parseAgreement(text).breakGlass.partnershipReviewers).toEqual([]);
  });

  it('works in Europe/London and lets nobody list beyond their caseload, as shipped', () => {
    expect(agreement.timeZone).toBe('Europe/London');
    expect(agreement.wideList).toEqual([]);
    const silent = edit(
      edit(SHIPPED, 'timeZone: Europe/London\n', ''),
      'subjectList:\n  partnershipWide: []\n',
      '',
    );
    expect(parseAgreement(silent).timeZone).toBe('Europe/London');
    expect(parseAgreement(silent).wideList).toEqual([]);
  });

  it('takes another time zone and the agencies and roles that may list widely', () => {
    const text = edit(
      edit(SHIPPED, 'timeZone: Europe/London', 'timeZone: Europe/Dublin'),
      'partnershipWide: []',
      'partnershipWide: [{ agency: police, role: iom-officer }]',
    );
    expect(parseAgreement(text).timeZone).toBe('Europe/Dublin');
    expect(parseAgreement(text).wideList).toEqual([{ agency: 'police', role: 'iom-officer' }]);
  });

  it.each([
    [
      'timeZone: Europe/London',
      'timeZone: Europe/Nowhere',
      'timeZone "Europe/Nowhere" is not an IANA time zone name',
    ],
    ['timeZone: Europe/London', 'timeZone: 1', 'timeZone 1 is not an IANA time zone name'],
    ['partnershipWide: []', 'partnershipWide: police', 'subjectList.partnershipWide must be a list'],
    ['partnershipWide: []', 'partnershipWide: [{ agency: Police, role: x }]', '"Police" is not an agency id'],
    ['  partnershipWide: []', '  everyone: true', 'subjectList must be a mapping with only partnershipWide'],
  ])('refuses %s written as %s', (from, to, reason) => {
    const text = edit(SHIPPED, from, to);
    const problems = refused(text);
    expect(problems.map((problem) => problem.reason).join('\n')).toContain(reason);
    expect(problems[0]?.line).toBe(lineOf(text, to.trim()));
  });

  it('names the issuer of each identifier scheme: PNC police, NOMIS prison, CRN probation, NHS health', () => {
    expect(agreement.identifiers).toEqual({
      pnc: 'police',
      nomis: 'prison',
      crn: 'probation',
      nhs: 'health',
    });
  });

  it('gives the default issuers to an agreement without the section, and to a scheme it leaves out', () => {
    const without = edit(
      SHIPPED,
      SHIPPED.slice(SHIPPED.indexOf('identifiers:\n'), SHIPPED.indexOf('# Which roles')),
      '',
    );
    expect(parseAgreement(without).identifiers).toEqual(DEFAULT_ISSUING_AGENCIES);
    const fewer = edit(SHIPPED, '  nhs: { issuedBy: health }\n', '');
    expect(parseAgreement(fewer).identifiers).toEqual(DEFAULT_ISSUING_AGENCIES);
    const moved = edit(SHIPPED, 'nhs: { issuedBy: health }', 'nhs: { issuedBy: voluntary }');
    expect(parseAgreement(moved).identifiers).toEqual({ ...DEFAULT_ISSUING_AGENCIES, nhs: 'voluntary' });
  });

  it('has clauses that name only known partners, categories, bases, purposes and event types, each with a legal basis', () => {
    const ids = agreement.clauses.map((clause) => clause.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const clause of agreement.clauses) {
      expect(clause.recipients.every((r) => agreement.agencies.includes(r))).toBe(true);
      expect(clause.categories.every((c) => (DATA_CATEGORIES as readonly string[]).includes(c))).toBe(true);
      expect(SHARE_BASES).toContain(clause.basis);
      expect(clause.purposes.every((p) => (PURPOSES_OF_USE as readonly string[]).includes(p))).toBe(true);
      expect(clause.when?.types?.every(isEventType) ?? true).toBe(true);
      expect(clause.legalBasis.length).toBeGreaterThan(0);
      // A clause that shares something must say for which purposes; only never may list none.
      if (clause.basis !== 'never') expect(clause.purposes.length).toBeGreaterThan(0);
    }
  });

  it('keeps its narrowings: custody dates only, licence drug tests, key-worker events', () => {
    const byId = new Map(agreement.clauses.map((clause) => [clause.id, clause]));
    expect(byId.get('community-custody-dates')?.fields).toEqual(['expectedRelease', 'date', 'releasedAt']);
    expect(byId.get('probation-licence-drug-tests')?.when).toEqual({
      types: ['iom.drug-test.recorded.v1'],
      data: { context: ['licence'] },
    });
    expect(byId.get('key-worker-contacts')?.when).toEqual({ types: ['iom.key-worker.assigned.v1'] });
  });
});

describe('a malformed agreement is refused with the line and the reason, and nothing is returned', () => {
  // The YAML parser's own errors must carry the line too, not only the checker's.
  it('a YAML syntax error: an unclosed flow sequence', () => {
    const text = edit(
      SHIPPED,
      'recipients: [police]\n    categories: [intelligence]',
      'recipients: [police\n    categories: [intelligence]',
    );
    const problems = refused(text);
    const opened = text.split('\n').indexOf('    recipients: [police') + 1;
    expect(opened).toBeGreaterThan(0);
    // The parser notices the missing ] where the sequence should have ended: that line or the next.
    expect(problems[0]!.line).toBeGreaterThanOrEqual(opened);
    expect(problems[0]!.line).toBeLessThanOrEqual(opened + 1);
    expect(problems[0]!.reason).toMatch(/end with a \]/);
  });

  it('a YAML syntax error: a tab used as indentation', () => {
    const text = edit(SHIPPED, '  maxMinutes: 60', '\tmaxMinutes: 60');
    expect(refused(text)[0]).toEqual({
      line: lineOf(text, '\tmaxMinutes'),
      reason: 'Tabs are not allowed as indentation',
    });
  });

  it('a YAML syntax error: an unterminated quote', () => {
    const text = edit(SHIPPED, "version: '2025.1'", "version: '2025.1");
    expect(refused(text)[0]).toEqual({
      line: lineOf(text, "version: '2025.1"),
      reason: expect.stringMatching(/Missing closing 'quote/),
    });
  });

  it('a YAML syntax error: a key given twice', () => {
    const text = edit(SHIPPED, "version: '2025.1'\n", "version: '2025.1'\nversion: '2025.2'\n");
    expect(refused(text)[0]).toEqual({
      line: lineOf(text, "version: '2025.2'"),
      reason: expect.stringMatching(/Map keys must be unique/),
    });
  });

  it('an unknown agency in recipients', () => {
    const text = edit(
      SHIPPED,
      'recipients: [police]\n    categories: [intelligence]',
      'recipients: [polce]\n    categories: [intelligence]',
    );
    expect(refused(text)).toEqual([
      {
        line: lineOf(text, 'recipients: [polce]'),
        reason: expect.stringMatching(/"polce" is not one of the agreement's agencies/),
      },
    ]);
  });

  it('a recipient that is a valid id but not one of the agreement agencies', () => {
    const text = edit(
      SHIPPED,
      'agencies: [police, probation, prison, health, housing, voluntary]',
      'agencies: [police, probation, prison, health, housing]',
    );
    const problems = refused(text);
    // Every clause naming voluntary is now wrong, each on its own line.
    expect(problems.length).toBeGreaterThan(1);
    for (const problem of problems)
      expect(problem.reason).toMatch(/"voluntary" is not one of the agreement's agencies/);
    expect(problems.map((p) => p.line)).toContain(
      lineOf(text, 'recipients: [police, probation, prison, health, housing, voluntary]'),
    );
  });

  it('an unknown category', () => {
    const text = edit(
      SHIPPED,
      'categories: [cohort, drugs, health, housing]',
      'categories: [cohort, drugs, helth, housing]',
    );
    expect(refused(text)).toEqual([
      { line: lineOf(text, 'helth'), reason: expect.stringMatching(/"helth" is not a data category/) },
    ]);
  });

  it('an unknown basis', () => {
    const text = edit(
      SHIPPED,
      'categories: [intelligence]\n    basis: always',
      'categories: [intelligence]\n    basis: sometimes',
    );
    expect(refused(text)).toEqual([
      {
        line: lineOf(text, 'basis: sometimes'),
        reason: expect.stringMatching(
          /basis "sometimes" must be one of always, consent, safeguarding, never/,
        ),
      },
    ]);
  });

  it('a duplicate clause id', () => {
    const text = edit(SHIPPED, '- id: housing-core', '- id: health-core');
    const second =
      text
        .split('\n')
        .findIndex(
          (line, index) =>
            line.includes('- id: health-core') && index + 1 > lineOf(text, '- id: health-core'),
        ) + 1;
    expect(refused(text)).toEqual([{ line: second, reason: 'clause id "health-core" is used twice' }]);
  });

  it('a clause without a legal basis', () => {
    const text = edit(SHIPPED, '    legalBasis: UK GDPR Art 9(2)(a) explicit consent\n', '');
    const problems = refused(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.reason).toMatch(/clauses\.\d+\.legalBasis must be a non-empty string/);
    // Reported on the clause that lacks it.
    const clauseStart = lineOf(text, '- id: health-prison-consent');
    expect(problems[0]!.line).toBeGreaterThanOrEqual(clauseStart);
    expect(problems[0]!.line).toBeLessThan(lineOf(text, '# Health and drug treatment.'));
  });

  it('an empty legal basis', () => {
    const text = edit(
      SHIPPED,
      '    legalBasis: UK GDPR Art 9(2)(a) explicit consent\n',
      "    legalBasis: ''\n",
    );
    expect(refused(text)).toEqual([
      {
        line: lineOf(text, "legalBasis: ''"),
        reason: expect.stringMatching(/legalBasis must be a non-empty string/),
      },
    ]);
  });

  it.each([['0'], ['1441'], ['-5'], ['1.5'], ['sixty']])('break-glass maxMinutes of %s', (value) => {
    const text = edit(SHIPPED, 'maxMinutes: 60', `maxMinutes: ${value}`);
    expect(refused(text)).toEqual([
      {
        line: lineOf(text, `maxMinutes: ${value}`),
        reason: 'breakGlass.maxMinutes must be a whole number of minutes from 1 to 1440',
      },
    ]);
  });

  it('break-glass maxMinutes missing', () => {
    const text = edit(SHIPPED, '  maxMinutes: 60\n', '');
    const problems = refused(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.reason).toBe(
      'breakGlass.maxMinutes must be a whole number of minutes from 1 to 1440',
    );
  });

  it('a partnership reviewer that is not a mapping of agency and role', () => {
    const text = edit(SHIPPED, '- { agency: partnership, role: ig-lead }', '- partnership');
    expect(refused(text)).toEqual([
      {
        line: lineOf(text, '- partnership'),
        reason: 'breakGlass.partnershipReviewers entries must be mappings of agency and role',
      },
    ]);
  });

  it('a partnership reviewer without a role, or with an agency that is not an id', () => {
    const text = edit(SHIPPED, '- { agency: partnership, role: ig-lead }', '- { agency: Partnership IG }');
    const problems = refused(text);
    expect(problems.map((problem) => problem.line)).toEqual([
      lineOf(text, 'Partnership IG'),
      lineOf(text, 'Partnership IG'),
    ]);
    expect(problems.map((problem) => problem.reason).sort()).toEqual([
      '"Partnership IG" is not an agency id (lower-case letters, digits, -)',
      expect.stringMatching(/^breakGlass\.partnershipReviewers\.0\.role must be a non-empty string/),
    ]);
  });

  it('an identifier issuer that is not one of the agencies, a scheme unknown or local, an entry not { issuedBy }', () => {
    const text = edit(
      SHIPPED,
      '  pnc: { issuedBy: police }\n  nomis: { issuedBy: prison }\n  crn: { issuedBy: probation }\n',
      '  pnc: { issuedBy: courts }\n  passport: { issuedBy: police }\n  local: { issuedBy: housing }\n  crn: probation\n  nomis: { issuedBy: prison, also: police }\n',
    );
    expect(refused(text)).toEqual([
      {
        line: lineOf(text, 'issuedBy: courts'),
        reason: `identifiers.pnc.issuedBy "courts" is not one of the agreement's agencies (${DEFAULT_AGENCIES.join(', ')})`,
      },
      {
        line: lineOf(text, 'passport:'),
        reason: '"passport" is not an identifier scheme with an issuer (pnc, nomis, crn, nhs)',
      },
      {
        line: lineOf(text, '  local:'),
        reason: 'local identifiers belong to the agency that sends them: they have no issuer to name',
      },
      { line: lineOf(text, 'crn: probation'), reason: 'identifiers.crn must be { issuedBy: agency }' },
      { line: lineOf(text, 'also: police'), reason: 'identifiers.nomis must be { issuedBy: agency }' },
    ]);
    const block = SHIPPED.slice(SHIPPED.indexOf('identifiers:\n'), SHIPPED.indexOf('# Which roles'));
    const listed = edit(SHIPPED, block, 'identifiers: [pnc]\n');
    expect(refused(listed)).toEqual([
      {
        line: lineOf(listed, 'identifiers: [pnc]'),
        reason: 'identifiers must map schemes (pnc, nomis, crn, nhs) to { issuedBy: agency }',
      },
    ]);
  });

  it('an unknown event type in when.types', () => {
    const text = edit(SHIPPED, 'types: [iom.key-worker.assigned.v1]', 'types: [iom.key-worker.appointed.v1]');
    expect(refused(text)).toEqual([
      {
        line: lineOf(text, 'iom.key-worker.appointed.v1'),
        reason: expect.stringMatching(
          /"iom.key-worker.appointed.v1" is not an event type from the catalogue/,
        ),
      },
    ]);
  });

  it('an unknown purpose', () => {
    const text = edit(
      SHIPPED,
      'purposes: [safeguarding, case-management]',
      'purposes: [safeguarding, curiosity]',
    );
    expect(refused(text)).toEqual([
      { line: lineOf(text, 'curiosity'), reason: expect.stringMatching(/"curiosity" is not a purpose/) },
    ]);
  });

  it('a sharing clause with no purposes', () => {
    const text = edit(SHIPPED, 'purposes: [safeguarding, case-management]', 'purposes: []');
    expect(refused(text)).toEqual([
      {
        line: lineOf(text, 'purposes: []'),
        reason: expect.stringMatching(/purposes must be a non-empty list/),
      },
    ]);
  });

  it('several problems at once, each on its own line, in one refusal', () => {
    const text = edit(
      edit(
        SHIPPED,
        'categories: [cohort, drugs, health, housing]',
        'categories: [cohort, drugz, health, housing]',
      ),
      'categories: [intelligence]\n    basis: always',
      'categories: [intelligence]\n    basis: rarely',
    );
    const lines = refused(text).map((p) => p.line);
    expect(lines.sort((a, b) => a - b)).toEqual(
      [lineOf(text, 'basis: rarely'), lineOf(text, 'drugz')].sort((a, b) => a - b),
    );
  });

  it('not a mapping at all', () => {
    expect(refused('- just\n- a list\n')[0]).toMatchObject({ line: 1 });
  });
});

describe('isPartnershipAgency', () => {
  const agreement = parseAgreement(SHIPPED);

  it.each([...DEFAULT_AGENCIES, 'partnership'])('knows %s', (agency) => {
    expect(isPartnershipAgency(agreement, agency)).toBe(true);
  });

  it('knows no agency the agreement does not name, and none at all without an agreement', () => {
    expect(isPartnershipAgency(agreement, 'childrens-services')).toBe(false);
    expect(isPartnershipAgency(null, 'police')).toBe(false);
  });
});

describe('the role section', () => {
  it('is required: an agreement without one is refused with its line', () => {
    const start = SHIPPED.indexOf('roles:\n  iom-officer');
    const end = SHIPPED.indexOf('clauses:');
    const problems = refused(SHIPPED.slice(0, start) + SHIPPED.slice(end));
    expect(problems.map((p) => p.reason)).toEqual([expect.stringMatching(/^roles must map/)]);
  });

  it('refuses an unknown view or purpose, naming the line', () => {
    const text = edit(
      SHIPPED,
      'mentor: { subjects: [case-management,',
      'mentor: { gossip: [idle-curiosity], subjects: [case-management,',
    );
    const reasons = refused(text).map((p) => p.reason);
    expect(reasons).toEqual([expect.stringMatching(/"gossip" is not a view/)]);
  });

  it('refuses a purpose outside the vocabulary', () => {
    const text = edit(SHIPPED, 'analyst: { aggregates: [tasking] }', 'analyst: { aggregates: [curiosity] }');
    expect(refused(text).map((p) => p.reason)).toEqual([
      expect.stringMatching(/"curiosity" is not a purpose/),
    ]);
  });
});
