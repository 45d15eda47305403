import type { EventData, EventType } from './index';

/**
 * One valid `data` per type, used by the docs and the tests. Typed over every EventType so a new
 * catalogue entry does not compile until it has an example.
 */
export const CATALOGUE_EXAMPLES: { readonly [T in EventType]: EventData<T> } = {
  'iom.subject.registered.v1': {
    givenName: 'Daniel',
    familyName: 'Hartshorne',
    dateOfBirth: '1991-04-17',
    gender: 'male',
    identifiers: [
      { scheme: 'pnc', value: '2009/0123456C' },
      { scheme: 'local', value: 'CUST-88412' },
    ],
  },
  'iom.subject.identifier-linked.v1': { scheme: 'nomis', value: 'A1234BC' },
  'iom.subject.identifier-unlinked.v1': {
    scheme: 'nomis',
    value: 'A1234BC',
    reason: 'Linked to the wrong person: the prison number belongs to a cellmate.',
  },
  'iom.subject.merged.v1': {
    mergedSubjectId: '0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f',
    reason: 'Same person registered twice: name, date of birth and address match the PNC record.',
  },
  'iom.subject.unmerged.v1': {
    mergedSubjectId: '0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f',
    reason: 'Merged in error: fingerprints show two different people.',
  },
  'iom.referral.received.v1': {
    referredBy: 'probation',
    reason: 'Three burglary arrests in eight weeks; heroin use; released from HMP Stoke Heath last month.',
    referrer: 'J. Okafor, offender manager',
  },
  'iom.cohort.scored.v1': {
    score: 42,
    band: 'red',
    factors: { recentOffending: 18, riskOfHarm: 6, intelligence: 8, linkedSeries: 6, multiplier: 1.2 },
  },
  'iom.cohort.adopted.v1': { cohortClass: 'PPO', category: 2, statutory: true, reviewDue: '2024-07-01' },
  'iom.cohort.deselected.v1': { reason: 'progress', note: 'No arrests for twelve months; in work.' },
  'iom.key-worker.assigned.v1': {
    agency: 'police',
    worker: 'PC 4471 Sam Begum',
    contact: '01782 000000',
    role: 'iom-officer',
    user: 'pc-4471',
  },
  'iom.pathway.need-assessed.v1': {
    pathway: 'accommodation',
    level: 'high',
    note: 'Sofa-surfing since release.',
  },
  'iom.arrest.recorded.v1': {
    offence: 'Burglary dwelling',
    offenceGroup: 'burglary',
    arrestedAt: '2024-03-02T01:40:00Z',
    custodySuite: 'Northern Area Custody',
  },
  'iom.charge.recorded.v1': {
    offences: [{ offence: 'Burglary dwelling', offenceGroup: 'burglary' }],
    outcome: 'remanded',
    court: 'North Staffordshire Justice Centre',
    firstHearing: '2024-03-04',
  },
  'iom.conviction.recorded.v1': {
    offences: [{ offence: 'Burglary dwelling', offenceGroup: 'burglary' }],
    court: 'Stoke-on-Trent Crown Court',
    convictedOn: '2024-05-20',
    sentenceSummary: '18 months imprisonment',
  },
  'iom.wanted.flagged.v1': { reason: 'recall', warrant: true, warrantReference: 'W/2024/0311' },
  'iom.wanted.cleared.v1': { reason: 'arrested' },
  'iom.intelligence.logged.v1': {
    grading: '2BP',
    topic: 'associates',
    summary: 'Seen daily with a known supplier near the bus station.',
  },
  'iom.home-visit.recorded.v1': { outcome: 'seen', by: 'PC 4471 Sam Begum' },
  'iom.custody.received.v1': { establishment: 'HMP Birmingham', status: 'remand' },
  'iom.custody.transferred.v1': { from: 'HMP Birmingham', to: 'HMP Stoke Heath' },
  'iom.release.planned.v1': { date: '2024-11-18', type: 'CRD', addressKnown: false },
  'iom.custody.released.v1': {
    releasedAt: '2024-11-18T08:30:00Z',
    licence: true,
    gatePickup: true,
    address: 'Approved premises, Stoke-on-Trent',
  },
  'iom.sentence.imposed.v1': {
    order: 'community',
    requirements: ['DRR', 'rehabilitation-activity'],
    lengthMonths: 12,
    court: 'North Staffordshire Justice Centre',
  },
  'iom.licence.conditions-set.v1': {
    conditions: ['drug-testing', 'residence', 'exclusion-zone'],
    licenceEnds: '2025-08-17',
  },
  'iom.appointment.scheduled.v1': {
    appointmentId: 'APT-20240311-0042',
    with: 'probation',
    purpose: 'Supervision',
    at: '2024-03-11T10:00:00Z',
  },
  'iom.appointment.attended.v1': {
    appointmentId: 'APT-20240311-0042',
    with: 'probation',
    purpose: 'Supervision',
    at: '2024-03-11T10:00:00Z',
  },
  'iom.appointment.missed.v1': {
    appointmentId: 'APT-20240318-0043',
    with: 'probation',
    purpose: 'Supervision',
    at: '2024-03-18T10:00:00Z',
    reason: 'No contact',
    acceptable: false,
  },
  'iom.breach.recorded.v1': {
    order: 'community',
    reason: 'Two unacceptable failures to attend in twelve months.',
  },
  'iom.recall.recorded.v1': {
    reason: 'no-new-offence',
    note: 'Left approved premises; whereabouts unknown.',
  },
  'iom.risk.assessed.v1': {
    tool: 'OASys',
    scores: [
      { name: 'ogrs-1yr', value: 71 },
      { name: 'ogrs-2yr', value: 84 },
    ],
    roshLevel: 'medium',
  },
  'iom.drug-test.recorded.v1': {
    context: 'on-arrest',
    results: [
      { substance: 'opiates', result: 'positive' },
      { substance: 'cocaine', result: 'negative' },
    ],
  },
  'iom.required-assessment.recorded.v1': { attended: true, outcome: 'referred-to-treatment' },
  'iom.treatment.started.v1': {
    modality: 'prescribing',
    primarySubstance: 'opiates',
    provider: 'Community drug service',
  },
  'iom.treatment.ended.v1': { modality: 'prescribing', reason: 'dropped-out' },
  'iom.health.concern-recorded.v1': {
    kind: 'overdose',
    summary: 'Non-fatal overdose two days after release.',
  },
  'iom.accommodation.changed.v1': { status: 'hostel', address: 'Hostel, Hanley', tenancyAtRisk: false },
  'iom.employment.changed.v1': { status: 'training', provider: 'Construction skills course' },
  'iom.benefits.changed.v1': {
    benefit: 'universal-credit',
    claimStatus: 'awarded',
    firstPaymentDate: '2024-12-23',
  },
  'iom.debt.recorded.v1': { amountBand: '500-2000', adviceGiven: true },
  'iom.family.circumstance-recorded.v1': { children: 2, contact: 'supervised', socialServicesInvolved: true },
  'iom.consent.given.v1': {
    scope: {
      categories: ['drugs', 'health'],
      recipients: ['probation', 'police'],
      purposes: ['case-management', 'continuity-of-care'],
    },
    expires: '2025-03-01',
    recordedBy: 'Drug worker R. Patel',
    formReference: 'CF-2024-0117',
  },
  'iom.consent.withdrawn.v1': {
    scope: { categories: ['health'], recipients: ['police'], purposes: ['case-management'] },
    recordedBy: 'Drug worker R. Patel',
    reason: 'Subject asked that police no longer see health information.',
  },
  'iom.consent.refused.v1': {
    scope: { categories: ['drugs'], recipients: ['voluntary'], purposes: ['case-management'] },
    recordedBy: 'Mentor A. Shah',
  },
  'iom.safeguarding.concern-raised.v1': {
    concernId: 'SG-2024-0031',
    kind: 'child',
    legalBasis: 'DPA 2018 Sch 8 para 4',
    categories: ['drugs', 'family'],
    recipients: ['police', 'probation'],
    expires: '2024-06-30',
    summary: 'Children at the address during reported drug supply.',
  },
  'iom.safeguarding.concern-closed.v1': {
    concernId: 'SG-2024-0031',
    reason: 'Strategy meeting held; plan in place.',
  },
  'iom.tasking.action-assigned.v1': {
    actionId: 'ACT-2024-0412',
    meeting: 'North IOM tasking 2024-04-02',
    ownerAgency: 'housing',
    due: '2024-04-16',
    text: 'Find accommodation before release on 18 April.',
  },
  'iom.tasking.action-completed.v1': { actionId: 'ACT-2024-0412', note: 'Hostel place confirmed.' },
  'iom.tasking.detail-released.v1': {
    releaseId: 'REL-2024-0047',
    meeting: 'North IOM tasking 2024-04-02',
    categories: ['supervision', 'risk'],
    legalBasis: 'DPA 2018 Part 3 s.31 (law enforcement purposes)',
    from: '2024-01-01',
    expires: '2024-04-03',
  },
  'iom.tasking.detail-withdrawn.v1': { releaseId: 'REL-2024-0047', reason: 'Discussed at the meeting.' },
  'iom.tasking.decision-recorded.v1': {
    meeting: '0b6f3f6e-2a8c-4f4e-9d1a-5c7e8f9a0b1c',
    decision: 'band-change',
    band: 'red',
    reason: 'Three arrests for burglary since the last meeting; police to re-score.',
  },
  'iom.meeting.opened.v1': {
    meetingId: '0b6f3f6e-2a8c-4f4e-9d1a-5c7e8f9a0b1c',
    date: '2024-04-02',
    chair: 'chair-01',
    agenciesPresent: ['police', 'probation', 'health', 'housing'],
    cohortClasses: [],
  },
  'iom.meeting.closed.v1': { meetingId: '0b6f3f6e-2a8c-4f4e-9d1a-5c7e8f9a0b1c', closedBy: 'chair-01' },
  'iom.record.corrected.v1': {
    targetEventId: '6c1f3e52-8d0a-4b7e-9a51-2f3d4c5b6a70',
    reason: 'Wrong custody suite entered.',
    replacement: {
      offence: 'Burglary dwelling',
      offenceGroup: 'burglary',
      arrestedAt: '2024-03-02T01:40:00Z',
      custodySuite: 'Watling Street Custody',
    },
  },
  'iom.break-glass.reviewed.v1': {
    claimEventId: '6c1f3e52-8d0a-4b7e-9a51-2f3d4c5b6a70',
    outcome: 'approved',
    reviewer: 'ig-lead-1',
    note: 'Justified: subject missing after overdose.',
  },
  'iom.break-glass.claimed.v1': {
    user: 'pc-4471',
    agency: 'police',
    categories: ['health', 'drugs'],
    expiresAt: '2024-03-02T04:40:00Z',
    justification: 'Found unresponsive at the address; paramedics need his prescribing details now.',
  },
  'iom.retention.reviewed.v1': {
    category: 'offending',
    outcome: 'retain',
    reason: 'Group 2 offence: still necessary for a policing purpose; review in ten years.',
    nextReview: '2034-03-02',
    reviewer: 'ig-lead-police-1',
  },
  'iom.record.restricted.v1': {
    restrictionId: '0b5f4d3e-2c1a-4f9e-8d7c-6b5a4f3e2d1c',
    categories: ['intelligence'],
    purposes: ['safeguarding'],
    reason: 'Accuracy contested by the subject; held while it is checked.',
    legalBasis: 'DPA 2018 s.47(2)',
    restrictedBy: 'ig-lead-police-1',
  },
  'iom.record.restriction-lifted.v1': {
    restrictionId: '0b5f4d3e-2c1a-4f9e-8d7c-6b5a4f3e2d1c',
    reason: 'Accuracy confirmed against the source record.',
    liftedBy: 'ig-lead-police-1',
  },
  'iom.record.redacted.v1': {
    targetEventId: '6c1f3e52-8d0a-4b7e-9a51-2f3d4c5b6a70',
    reason: 'Recorded against the wrong person.',
  },
  'iom.record.erased.v1': {
    categories: ['health'],
    reason: 'Erasure request upheld (UK GDPR art. 17).',
    decisionRef: 'IG-2024-0117',
  },
};
