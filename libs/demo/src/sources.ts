import type { DefaultAgency } from '@throughline/domain';

/** The agency systems that publish in the demo; each agency runs a couple. */
export const SOURCES = {
  policeCustody: 'urn:throughline:police:custody',
  policeIom: 'urn:throughline:police:iom',
  probationCase: 'urn:throughline:probation:case-management',
  probationPremises: 'urn:throughline:probation:approved-premises',
  prisonNomis: 'urn:throughline:prison:nomis',
  prisonHealthcare: 'urn:throughline:prison:healthcare',
  healthTreatment: 'urn:throughline:health:treatment',
  healthCriminalJustice: 'urn:throughline:health:criminal-justice',
  housingOptions: 'urn:throughline:housing:options',
  housingTenancy: 'urn:throughline:housing:tenancy',
  voluntaryCrm: 'urn:throughline:voluntary:crm',
  voluntaryEte: 'urn:throughline:voluntary:ete',
} as const;
export type SourceKey = keyof typeof SOURCES;

export const DEMO_SOURCES: Record<DefaultAgency, readonly string[]> = {
  police: [SOURCES.policeCustody, SOURCES.policeIom],
  probation: [SOURCES.probationCase, SOURCES.probationPremises],
  prison: [SOURCES.prisonNomis, SOURCES.prisonHealthcare],
  health: [SOURCES.healthTreatment, SOURCES.healthCriminalJustice],
  housing: [SOURCES.housingOptions, SOURCES.housingTenancy],
  voluntary: [SOURCES.voluntaryCrm, SOURCES.voluntaryEte],
};

const OWNER = new Map<string, DefaultAgency>(
  Object.entries(DEMO_SOURCES).flatMap(([agency, sources]) =>
    sources.map((source) => [source, agency as DefaultAgency] as const),
  ),
);

/** The agency that owns each source, so an event's publisher follows from where it was sent. */
export const agencyOfSource = (key: SourceKey): DefaultAgency => {
  const agency = OWNER.get(SOURCES[key]);
  if (!agency) throw new Error(`source ${SOURCES[key]} belongs to no agency`);
  return agency;
};
