import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DATA_CATEGORIES,
  DEFAULT_AGENCIES,
  type DefaultAgency,
  PURPOSES_OF_USE,
  type PurposeOfUse,
} from '@throughline/domain';
import { parseAgreement } from './agreement';
import {
  CELL_STATES,
  type CellState,
  CUSTODY_DATE_FIELDS,
  DEFAULT_TABLE,
  type Expected,
  expectedRead,
  PRACTITIONERS,
  type Probe,
  PROBES,
  probeData,
  ROLE_PURPOSES,
  probePublisher,
  TABLE_NOW,
  TableTimeline,
  widestRead,
} from './decision-table.data';
import { buildReadPolicy, decide, projectionCut, type Reader } from './policy';
import { emptySharingState, evolveSharing, type SharingState } from './sharing-state';

const agreement = parseAgreement(
  readFileSync(join(__dirname, '..', '..', '..', '..', 'infra', 'agreements', 'default-iom.yaml'), 'utf8'),
);

interface ReaderCase {
  readonly label: string;
  readonly agency: DefaultAgency;
  readonly reader: Reader;
}

const person = (agency: DefaultAgency, role: string): ReaderCase => ({
  label: `${agency} ${role}`,
  agency,
  reader: { kind: 'person', id: `${agency}-${role}-1`, agency, role },
});

const READERS: readonly ReaderCase[] = [
  ...DEFAULT_AGENCIES.map((agency) => person(agency, PRACTITIONERS[agency])),
  person('police', 'tasking-chair'),
  person('probation', 'ig-lead'),
  person('health', 'analyst'),
  {
    label: 'police system',
    agency: 'police',
    reader: { kind: 'system', id: 'urn:throughline:police:custody', agency: 'police', role: 'system' },
  },
];

const NOW = TABLE_NOW;
const STATES = CELL_STATES;
// One timeline numbers every event the table builds, so ids never repeat across cells.
const timeline = new TableTimeline();

const describeState = (s: CellState): string =>
  `consent ${s.consent}, concern ${s.concern}, break-glass ${s.breakGlass}`;
const describeProbe = (p: Probe): string => {
  const data = probeData(p);
  return `${p.category} ${p.type}${typeof data.context === 'string' ? ` (${data.context})` : ''}`;
};
const describeExpected = (e: Expected | null): string =>
  !e || !e.allowed ? 'deny' : `allow [${e.fields.join(',')}] because ${e.because.join('|')}`;

/** Runs one reader and purpose through every category, state and probe; returns the disagreements. */
function runCells(readerCase: ReaderCase, purpose: PurposeOfUse): { cells: number; disagreements: string[] } {
  const disagreements: string[] = [];
  let cells = 0;
  for (const category of DATA_CATEGORIES) {
    const probes = PROBES.filter((probe) => probe.category === category);
    for (const state of STATES) {
      const setup = timeline.cellState({
        readerId: readerCase.reader.id,
        agency: readerCase.agency,
        category,
        purpose,
        state,
        controllers: [...new Set(probes.map((probe) => probePublisher(probe, readerCase.agency)))],
      });
      const sharing = setup.reduce<SharingState>(
        (state, event) => evolveSharing(state, event),
        emptySharingState(),
      );
      // One policy per reader, purpose and state, reused for every probe of the category.
      const policy = buildReadPolicy({ reader: readerCase.reader, purpose, agreement, sharing, now: NOW });
      for (const probe of probes) {
        cells++;
        const publisher = probePublisher(probe, readerCase.agency);
        const event = timeline.probe(probe, publisher);
        const expected = expectedRead({
          reader: { kind: readerCase.reader.kind, agency: readerCase.agency, role: readerCase.reader.role },
          purpose,
          probe,
          publisher,
          state,
        });
        const actual = decide(policy, event);
        const where = `${readerCase.label} / ${purpose} / ${describeProbe(probe)} from ${publisher} / ${describeState(state)} [cell ${DEFAULT_TABLE[readerCase.agency][category].mark}]`;
        const fail = (what: string): void => {
          disagreements.push(`${where}: ${what}`);
        };
        // The projection-time cut is made before the purpose is known: never wider than the table
        // allows for some purpose at some time, and (below) never narrower than a read without break-glass.
        const cut = projectionCut(agreement, sharing, readerCase.agency, event);
        const widest = widestRead({
          agency: readerCase.agency,
          probe,
          publisher,
          state,
          consentPurpose: purpose,
        });
        if (cut && (!widest || !cut.every((field) => widest.includes(field)))) {
          fail(
            `the projection cut [${cut.join(',')}] is wider than the table ever allows [${widest?.join(',') ?? 'nothing'}]`,
          );
        }
        if (expected.allowed !== (actual !== null)) {
          fail(
            `table says ${describeExpected(expected)}, policy says ${actual ? `allow [${actual.fields.join(',')}] (${actual.reason.rule}/${actual.reason.clause ?? '-'})` : 'deny'}`,
          );
          continue;
        }
        if (!expected.allowed || !actual) continue;
        if (actual.fields.join(',') !== expected.fields.join(',')) {
          fail(
            `fields: table [${expected.fields.join(',')}], policy [${actual.fields.join(',')}] (${actual.reason.clause ?? actual.reason.rule})`,
          );
        }
        const because =
          actual.reason.rule === 'agreement'
            ? actual.reason.basis
            : actual.reason.rule === 'own-publication'
              ? 'own'
              : 'break-glass';
        if (!expected.because.includes(because))
          fail(`reason: table ${expected.because.join('|')}, policy ${because}`);
        // The audit record must name the consent, concern or claim the decision relied on.
        const reliedOn: Partial<Record<string, string>> = {
          consent: setup.find((e) => e.type === 'iom.consent.given.v1' && e.meta.agency === publisher)?.id,
          safeguarding: setup.find((e) => e.type === 'iom.safeguarding.concern-raised.v1')?.id,
          'break-glass': setup.find((e) => e.type === 'iom.break-glass.claimed.v1')?.id,
        };
        if (because in reliedOn && actual.reason.reliedOn !== reliedOn[because]) {
          fail(`reason relies on ${actual.reason.reliedOn ?? 'nothing'}`);
        }
        // The reason is what the audit record carries: it must justify every field disclosed.
        if (
          actual.reason.rule === 'agreement' &&
          !actual.fields.every((field) => expected.byAgreement.includes(field))
        ) {
          fail(
            `the policy discloses [${actual.fields.join(',')}] naming clause ${actual.reason.clause ?? '-'}, which gives only [${expected.byAgreement.join(',')}]`,
          );
        }
        if (because === 'always' && actual.reason.reliedOn !== null)
          fail('an always clause relies on an event');
        if (
          actual.reason.rule === 'agreement' &&
          (!actual.reason.clause ||
            actual.reason.agreementVersion !== agreement.version ||
            !actual.reason.legalBasis)
        ) {
          fail('an agreement reason without clause, version or legal basis');
        }
        if (because !== 'break-glass') {
          if (!cut) fail('the read allows it but the projection cut hides it');
          else if (!actual.fields.every((field) => cut.includes(field)))
            fail(`the projection cut [${cut.join(',')}] is narrower than the read`);
        }
      }
    }
  }
  return { cells, disagreements };
}

describe('the default decision table, cell by cell, against the read policy', () => {
  it('has 42,000 cells: 10 readers x 7 purposes x 20 probes covering the 15 categories x 30 states', () => {
    expect(new Set(PROBES.map((p) => p.category))).toEqual(new Set(DATA_CATEGORIES));
    expect(STATES).toHaveLength(5 * 3 * 2);
    expect(READERS.length * PURPOSES_OF_USE.length * PROBES.length * STATES.length).toBe(42_000);
  });

  describe.each(READERS.map((r) => [r.label, r] as const))('%s', (_label, readerCase) => {
    it.each(PURPOSES_OF_USE.map((p) => [p]))('for %s', (purpose) => {
      const { cells, disagreements } = runCells(readerCase, purpose);
      expect(cells).toBe(PROBES.length * STATES.length);
      expect(disagreements).toEqual([]);
    });
  });
});

describe('the projection-time cut without any consent, concern or claim', () => {
  const none: CellState = { consent: 'none', concern: 'none', breakGlass: 'none' };

  it.each(DEFAULT_AGENCIES.map((a) => [a]))('%s: holds exactly the always cells of the table', (agency) => {
    const mismatches: string[] = [];
    for (const probe of PROBES) {
      const publisher = probePublisher(probe, agency);
      const event = timeline.probe(probe, publisher);
      const cut = projectionCut(agreement, emptySharingState(), agency, event);
      const widest = widestRead({ agency, probe, publisher, state: none, consentPurpose: 'case-management' });
      if (JSON.stringify(cut) !== JSON.stringify(widest)) {
        mismatches.push(
          `${describeProbe(probe)}: table ${JSON.stringify(widest)}, projection ${JSON.stringify(cut)}`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('field-restricted cells', () => {
  const custody = PROBES.filter((p) => p.category === 'custody');

  it.each((['health', 'housing', 'voluntary'] as const).map((a) => [a]))(
    '%s sees custody dates only, for case management and continuity of care',
    (agency) => {
      const reader: Reader = { kind: 'person', id: `${agency}-1`, agency, role: PRACTITIONERS[agency] };
      for (const purpose of ['case-management', 'continuity-of-care'] as const) {
        const policy = buildReadPolicy({
          reader,
          purpose,
          agreement,
          sharing: emptySharingState(),
          now: NOW,
        });
        for (const probe of custody) {
          const event = timeline.probe(probe, 'prison');
          const decision = decide(policy, event);
          expect(decision).not.toBeNull();
          expect(decision!.fields.length).toBeGreaterThan(0);
          expect(decision!.fields.every((field) => CUSTODY_DATE_FIELDS.includes(field))).toBe(true);
          expect(projectionCut(agreement, emptySharingState(), agency, event)).toEqual(decision!.fields);
        }
      }
    },
  );
});

describe('an agency always sees its own publications', () => {
  it.each(DEFAULT_AGENCIES.map((a) => [a]))(
    '%s, for every purpose its practitioners may state and every category, never cells included',
    (agency) => {
      const reader: Reader = { kind: 'person', id: `${agency}-1`, agency, role: PRACTITIONERS[agency] };
      const purposes = ROLE_PURPOSES[PRACTITIONERS[agency]]!;
      let cells = 0;
      for (const purpose of purposes) {
        const policy = buildReadPolicy({
          reader,
          purpose,
          agreement,
          sharing: emptySharingState(),
          now: NOW,
        });
        for (const probe of PROBES) {
          const event = timeline.probe(probe, agency);
          expect(decide(policy, event)).toMatchObject({
            fields: Object.keys(probeData(probe)),
            reason: { rule: 'own-publication', basis: 'own' },
          });
          expect(projectionCut(agreement, emptySharingState(), agency, event)).toEqual(
            Object.keys(probeData(probe)),
          );
          cells++;
        }
      }
      expect(cells).toBe(purposes.length * PROBES.length);
    },
  );

  it('but a system principal reads nothing, not even its own agency events', () => {
    const reader: Reader = {
      kind: 'system',
      id: 'urn:throughline:health:treatment',
      agency: 'health',
      role: 'system',
    };
    const policy = buildReadPolicy({
      reader,
      purpose: 'case-management',
      agreement,
      sharing: emptySharingState(),
      now: NOW,
    });
    for (const probe of PROBES) expect(decide(policy, timeline.probe(probe, 'health'))).toBeNull();
  });
});

describe('a restriction by the data’s publisher, cell by cell', () => {
  // Every ground the table knows held at once (consent, concern, break-glass), so a restriction is
  // tried against the widest read each cell allows; and states with none.
  const RESTRICTED_STATES: readonly CellState[] = [
    { consent: 'given', concern: 'open', breakGlass: 'active' },
    { consent: 'none', concern: 'none', breakGlass: 'none' },
  ];
  const restriction = (publisher: string, category: string, purposes: readonly PurposeOfUse[]) =>
    timeline.event(
      'iom.record.restricted.v1',
      {
        restrictionId: '00000000-0000-4000-8000-0000000000aa',
        categories: [category],
        purposes,
        reason: 'Accuracy contested',
        legalBasis: 'DPA 2018 s.47(2)',
        restrictedBy: 'ig-1',
      },
      publisher,
      'consent',
    );

  it.each(READERS.map((r) => [r.label, r] as const))(
    '%s: served only for a purpose the restriction names, and then as the table says; never cut wider',
    (_label, readerCase) => {
      const disagreements: string[] = [];
      for (const purpose of PURPOSES_OF_USE)
        for (const state of RESTRICTED_STATES)
          for (const probe of PROBES) {
            const publisher = probePublisher(probe, readerCase.agency);
            const setup = timeline.cellState({
              readerId: readerCase.reader.id,
              agency: readerCase.agency,
              category: probe.category,
              purpose,
              state,
              controllers: [publisher],
            });
            const others = PURPOSES_OF_USE.filter((p) => p !== purpose);
            for (const allowed of [[], [purpose], others] as readonly (readonly PurposeOfUse[])[]) {
              const sharing = [
                ...setup,
                restriction(publisher, probe.category, allowed),
              ].reduce<SharingState>((s, event) => evolveSharing(s, event), emptySharingState());
              const event = timeline.probe(probe, publisher);
              const policy = buildReadPolicy({
                reader: readerCase.reader,
                purpose,
                agreement,
                sharing,
                now: NOW,
              });
              const actual = decide(policy, event);
              const table = expectedRead({
                reader: {
                  kind: readerCase.reader.kind,
                  agency: readerCase.agency,
                  role: readerCase.reader.role,
                },
                purpose,
                probe,
                publisher,
                state,
              });
              const served = allowed.includes(purpose) && table.allowed;
              const where = `${purpose} / ${describeProbe(probe)} from ${publisher} / ${describeState(state)} / restricted but for [${allowed.join(',')}]`;
              if (served !== (actual !== null))
                disagreements.push(`${where}: expected ${served ? 'allow' : 'deny'}`);
              const cut = projectionCut(agreement, sharing, readerCase.agency, event);
              if (allowed.length === 0 && cut !== null)
                disagreements.push(`${where}: the projection holds it`);
              if (
                actual &&
                (!cut || !actual.fields.every((field) => cut.includes(field))) &&
                !actual.breakGlass
              )
                disagreements.push(`${where}: the cut is narrower than the read`);
            }
          }
      expect(disagreements).toEqual([]);
    },
  );
});
