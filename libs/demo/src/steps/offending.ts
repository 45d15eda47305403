import type { OffenceData, SubstanceResult } from '@throughline/domain';
import type { Journey, Order } from '../journey';
import { CROWN_COURT, CUSTODY_SUITES, MAGISTRATES, OFFENCES } from '../reference';
import { addMonths, DAY, HOUR, isoDate, isoTime, MINUTE, officeTime, WEEK } from '../time';
import { assignKeyWorker, isSeriousAcquisitive } from './cohort';
import { receive, recall, release, serveSentence } from './custody';
import { startTreatment } from './support';

const TRIGGER_GROUPS = ['burglary', 'robbery', 'vehicle-crime', 'theft', 'shoplifting', 'fraud', 'drugs'];

function pickOffence(j: Journey): OffenceData {
  const [offence, offenceGroup] = j.rng.weighted(OFFENCES.map(([o, g, w]) => [[o, g] as const, w] as const));
  return { offence, offenceGroup };
}

/** Test on arrest for trigger offences; a positive result obliges a drug assessment (DIP). */
function testOnArrest(j: Journey, offence: OffenceData): void {
  const { rng, profile } = j;
  if (!TRIGGER_GROUPS.includes(offence.offenceGroup) || !rng.chance(0.85)) return;
  const opiates = profile.drugs === 'heroin' ? rng.chance(0.85) : rng.chance(0.03);
  const cocaine =
    profile.drugs === 'crack'
      ? rng.chance(0.85)
      : profile.drugs === 'heroin'
        ? rng.chance(0.4)
        : rng.chance(0.05);
  const results: SubstanceResult[] = [
    { substance: 'opiates', result: opiates ? 'positive' : 'negative' },
    { substance: 'cocaine', result: cocaine ? 'positive' : 'negative' },
  ];
  j.emit(j.now + 2 * HOUR, 'policeCustody', 'iom.drug-test.recorded.v1', { context: 'on-arrest', results });
  if (!opiates && !cocaine) return;
  j.at(j.now + rng.int(2, 7) * DAY, () => {
    if (j.inCustody) return;
    if (!rng.chance(Math.min(0.95, profile.engagement + 0.1))) {
      j.emit(j.now, 'healthCriminalJustice', 'iom.required-assessment.recorded.v1', { attended: false });
      return;
    }
    const already = j.state.treatment !== undefined;
    const referred = !already && rng.chance(0.7);
    j.emit(j.now, 'healthCriminalJustice', 'iom.required-assessment.recorded.v1', {
      attended: true,
      outcome: already
        ? 'already-in-treatment'
        : referred
          ? 'referred-to-treatment'
          : 'declined-further-support',
    });
    if (referred && rng.chance(0.7)) j.at(j.now + rng.int(7, 21) * DAY, () => startTreatment(j));
  });
}

export function arrest(
  j: Journey,
  offence = pickOffence(j),
  custodySuite = j.rng.pick(CUSTODY_SUITES),
): void {
  const { rng, state } = j;
  state.arrests.push(j.now);
  const arrestData = { ...offence, arrestedAt: isoTime(j.now), custodySuite };
  const draft = j.emit(j.now + 20 * MINUTE, 'policeCustody', 'iom.arrest.recorded.v1', arrestData);
  if (rng.chance(0.02)) {
    j.emit(
      j.now + rng.int(1, 5) * DAY,
      'policeCustody',
      'iom.record.corrected.v1',
      {
        targetEventId: 'pending',
        reason: 'Wrong custody suite entered.',
        replacement: {
          ...arrestData,
          custodySuite: rng.pick(CUSTODY_SUITES.filter((s) => s !== custodySuite)),
        },
      },
      draft,
    );
  }
  if (state.wanted) {
    state.wanted = false;
    j.emit(j.now + HOUR, 'policeIom', 'iom.wanted.cleared.v1', { reason: 'arrested' });
  }
  testOnArrest(j, offence);
  if (offence.offenceGroup !== 'breach' && rng.chance(0.3)) return; // released without charge
  const onLicence = state.order?.kind === 'licence';
  const remandChance = onLicence ? 0.6 : j.profile.category === 4 ? 0.45 : 0.3;
  const remanded = rng.chance(remandChance);
  const offences = rng.chance(0.2) ? [offence, pickOffence(j)] : [offence];
  const court = rng.pick(MAGISTRATES);
  j.now += rng.int(6, 20) * HOUR;
  const firstHearing = remanded ? j.now + DAY : j.now + rng.int(14, 28) * DAY;
  j.emit(j.now, 'policeCustody', 'iom.charge.recorded.v1', {
    offences,
    outcome: remanded ? 'remanded' : 'bailed',
    court,
    firstHearing: isoDate(firstHearing),
  });
  if (remanded) {
    j.now = firstHearing;
    receive(j, 'remand');
    if (onLicence) recall(j, 'new-offence', `Charged with ${offence.offence.toLowerCase()}.`);
    const spell = state.custodySpell;
    j.at(j.now + rng.int(3, 12) * WEEK, () => {
      if (state.custodySpell === spell) convict(j, offences, true);
    });
    return;
  }
  // Some fail to appear and are circulated as wanted until the warrant is executed.
  if (!state.desisting && rng.chance(0.08)) {
    j.at(firstHearing, () => {
      if (j.inCustody) return;
      state.wanted = true;
      j.emit(j.now, 'policeIom', 'iom.wanted.flagged.v1', { reason: 'failed-to-appear', warrant: true });
      j.at(j.now + rng.int(5, 30) * DAY, () => {
        if (!j.inCustody && state.wanted)
          arrest(j, { offence: 'Failing to surrender to bail', offenceGroup: 'breach' });
      });
    });
    return;
  }
  j.at(firstHearing + rng.int(2, 8) * WEEK, () => convict(j, offences, false));
}

function convict(j: Journey, offences: readonly OffenceData[], remanded: boolean): void {
  const { rng, state, profile } = j;
  j.now = officeTime(j.now, rng.int(10, 15), rng.pick([0, 15, 30, 45]));
  const serious = offences.some((o) => isSeriousAcquisitive(o.offenceGroup));
  const court = serious && rng.chance(0.5) ? CROWN_COURT : rng.pick(MAGISTRATES);
  const custodyChance = { 1: 0.12, 2: 0.4, 3: 0.3, 4: 0.5 }[profile.category] + (remanded ? 0.3 : 0);
  const order =
    j.inCustody && !remanded
      ? 'custody'
      : rng.chance(custodyChance)
        ? 'custody'
        : rng.chance(0.25)
          ? 'suspended'
          : 'community';
  const lengthMonths =
    order === 'custody' ? rng.int(profile.category === 4 ? 6 : 3, serious ? 36 : 18) : rng.int(6, 24);
  const summary =
    order === 'custody'
      ? `${lengthMonths} months imprisonment`
      : `${order === 'suspended' ? 'Suspended sentence order' : 'Community order'}, ${lengthMonths} months`;
  j.emit(j.now, rng.chance(0.5) ? 'policeIom' : 'probationCase', 'iom.conviction.recorded.v1', {
    offences: [...offences],
    court,
    convictedOn: isoDate(j.now),
    sentenceSummary: summary,
  });
  const heavyUser = profile.drugs === 'heroin' || profile.drugs === 'crack';
  const requirements =
    order === 'custody'
      ? []
      : [
          ...(heavyUser && rng.chance(0.7) ? (['DRR'] as const) : []),
          ...(rng.chance(0.7) ? (['rehabilitation-activity'] as const) : []),
          ...(profile.category === 1 && rng.chance(0.5) ? (['ETE'] as const) : []),
          ...(rng.chance(0.2) ? (['curfew'] as const) : []),
          ...(rng.chance(0.3) ? (['unpaid-work'] as const) : []),
        ];
  j.emit(j.now + 30 * MINUTE, 'probationCase', 'iom.sentence.imposed.v1', {
    order,
    requirements,
    lengthMonths,
    court,
  });
  state.statutory = true;
  if (!state.keyWorkers.has('probation')) assignKeyWorker(j, 'probation', j.now + DAY);
  j.emit(j.now + rng.int(7, 21) * DAY, 'probationCase', 'iom.risk.assessed.v1', riskAssessment(j));
  if (order === 'custody') {
    j.now += HOUR;
    if (!j.inCustody || remanded) serveSentence(j, lengthMonths, remanded);
    return;
  }
  if (remanded) {
    j.now += 3 * HOUR;
    release(j, { licence: false, addressKnown: true });
  }
  const kind: Order['kind'] = order;
  state.order = {
    kind,
    started: j.now,
    ends: addMonths(j.now, lengthMonths),
    drugTesting: requirements.includes('DRR'),
    unacceptableMisses: 0,
  };
  if (requirements.includes('DRR'))
    j.at(j.now + rng.int(3, 10) * DAY, () => startTreatment(j, 'prescribing'));
}

export function riskAssessment(j: Journey): {
  tool: 'OASys';
  scores: { name: string; value: number }[];
  roshLevel: Journey['state']['roshLevel'];
} {
  const { rng, profile, state } = j;
  const base = { 1: 35, 2: 60, 3: 55, 4: 75 }[profile.category] - (state.desisting ? 20 : 0);
  const oneYear = Math.max(5, Math.min(95, base + rng.int(-10, 10)));
  state.roshLevel = rng.weighted([
    ['low', 3],
    ['medium', 5],
    ['high', profile.category === 4 ? 2 : 1],
  ]);
  return {
    tool: 'OASys',
    scores: [
      { name: 'ogrs-1yr', value: oneYear },
      { name: 'ogrs-2yr', value: Math.min(99, oneYear + rng.int(5, 15)) },
    ],
    roshLevel: state.roshLevel,
  };
}

/** Breach of a community or suspended order; the court sometimes activates custody. */
export function breach(j: Journey, kind: 'community' | 'suspended', reason: string): void {
  const { rng, state } = j;
  j.emit(j.now, 'probationCase', 'iom.breach.recorded.v1', { order: kind, reason });
  j.at(j.now + rng.int(2, 5) * WEEK, () => {
    if (j.inCustody || state.order?.kind !== kind) return;
    if (!rng.chance(kind === 'suspended' ? 0.5 : 0.25)) return;
    const lengthMonths = rng.int(3, 12);
    j.emit(j.now, 'probationCase', 'iom.sentence.imposed.v1', {
      order: 'custody',
      requirements: [],
      lengthMonths,
      court: rng.pick(MAGISTRATES),
    });
    state.order = undefined;
    serveSentence(j, lengthMonths, false);
  });
}
