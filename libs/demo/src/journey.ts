import {
  CATALOGUE,
  type AccommodationStatus,
  type CohortBand,
  type CohortClass,
  type DefaultAgency,
  type EmploymentStatus,
  type EventData,
  type EventType,
  type RoshLevel,
  type TreatmentModality,
} from '@throughline/domain';
import type { Identity, Profile } from './people';
import type { Rng } from './prng';
import { agencyOfSource, type SourceKey } from './sources';

/** An event before its subject reference and id are settled (they depend on the final order). */
export interface Draft {
  readonly at: number;
  readonly source: SourceKey;
  readonly agency: DefaultAgency;
  readonly type: EventType;
  readonly data: object;
  /** For a correction or redaction: the event it names, whose id is known only at the end. */
  readonly target?: Draft;
}

export type Order = {
  readonly kind: 'community' | 'suspended' | 'licence';
  readonly started: number;
  readonly ends: number;
  readonly drugTesting: boolean;
  unacceptableMisses: number;
};

/** What the partnership would know about the person at the simulated moment. */
export interface State {
  place: 'community' | 'remand' | 'sentenced';
  establishment: string;
  /** Bumped on every reception and release so stale scheduled steps can tell they are out of date. */
  custodySpell: number;
  inCohort: boolean;
  /** Set on de-selection: the journey stops and nothing later is published. */
  endedAt: number | undefined;
  cohortClass: CohortClass;
  statutory: boolean;
  reviewDue: number;
  band: CohortBand;
  order: Order | undefined;
  wanted: boolean;
  accommodation: AccommodationStatus;
  employment: EmploymentStatus;
  treatment: { readonly modality: TreatmentModality; readonly since: number } | undefined;
  arrests: number[];
  intelligence: number[];
  roshLevel: RoshLevel;
  desisting: boolean;
  mentored: boolean;
  keyWorkers: Set<DefaultAgency>;
  openConcern: string | undefined;
  appointmentSeq: number;
  actionSeq: number;
}

interface AgendaItem {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** One person's simulated time in the partnership: a small discrete-event loop and its events. */
export class Journey {
  readonly drafts: Draft[] = [];
  /** What the platform records about the person in a meeting (the chair's decisions), by time. */
  readonly platform: { readonly at: number; readonly data: object }[] = [];
  readonly state: State;
  now: number;
  private readonly agenda: AgendaItem[] = [];
  private seq = 0;

  constructor(
    readonly index: number,
    readonly rng: Rng,
    readonly identity: Identity,
    readonly profile: Profile,
    readonly entry: number,
    readonly end: number,
  ) {
    this.now = entry;
    this.state = {
      place: 'community',
      establishment: '',
      custodySpell: 0,
      inCohort: false,
      endedAt: undefined,
      cohortClass: 'target',
      statutory: false,
      reviewDue: entry,
      band: 'amber',
      order: undefined,
      wanted: false,
      accommodation: 'settled',
      employment: 'unemployed',
      treatment: undefined,
      arrests: [],
      intelligence: [],
      roshLevel: 'medium',
      desisting: false,
      mentored: false,
      keyWorkers: new Set(),
      openConcern: undefined,
      appointmentSeq: 0,
      actionSeq: 0,
    };
  }

  get inCustody(): boolean {
    return this.state.place !== 'community';
  }

  /** Runs `step` at `time` unless the demo period is over by then. */
  at(time: number, step: () => void): void {
    if (time >= this.end) return;
    const item = { at: Math.max(time, this.now), seq: this.seq++, run: step };
    let low = 0;
    let high = this.agenda.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.agenda[mid];
      if (other && (other.at < item.at || (other.at === item.at && other.seq < item.seq))) low = mid + 1;
      else high = mid;
    }
    this.agenda.splice(low, 0, item);
  }

  run(): void {
    for (let item = this.agenda.shift(); item; item = this.agenda.shift()) {
      this.now = item.at;
      if (this.state.endedAt === undefined) item.run();
    }
  }

  /** Records an event; the publisher follows from the source and must be allowed to publish the type. */
  emit<T extends EventType>(
    at: number,
    source: SourceKey,
    type: T,
    data: EventData<T>,
    target?: Draft,
  ): Draft {
    const agency = agencyOfSource(source);
    const publishers = CATALOGUE[type].publishers;
    if (publishers !== 'any' && !(publishers as readonly string[]).includes(agency)) {
      throw new Error(`${agency} may not publish ${type}`);
    }
    const draft: Draft = {
      at: Math.max(at, this.entry),
      source,
      agency,
      type,
      data,
      ...(target ? { target } : {}),
    };
    if (draft.at < this.end) this.drafts.push(draft);
    return draft;
  }

  /** A correlation id for appointments, actions and concerns, unique within the partnership. */
  localId(prefix: string, seq: number): string {
    return `${prefix}-${String(this.index).padStart(4, '0')}-${String(seq).padStart(3, '0')}`;
  }

  /** Arrests within the last `days` days of now. */
  recentArrests(days: number): number {
    return this.state.arrests.filter((t) => t > this.now - days * 86_400_000).length;
  }
}
