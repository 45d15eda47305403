import type { DefaultAgency } from '@throughline/domain';
import type { DemoPublication } from '@throughline/demo';

export const BATCH_SIZE = 500;

const REGISTERED = 'iom.subject.registered.v1';
const LINKED = 'iom.subject.identifier-linked.v1';

/** One POST /v1/events: a single agency's events, already serialised so the client costs nothing. */
export interface IngestBatch {
  readonly agency: DefaultAgency;
  readonly count: number;
  readonly body: string;
}

/** Per-agency buffers that become a batch at 500 events or when flushed. */
class AgencyBuffers {
  private readonly pending = new Map<DefaultAgency, DemoPublication[]>();

  constructor(
    private readonly onBatch: (agency: DefaultAgency, events: readonly DemoPublication[]) => void,
  ) {}

  add(publication: DemoPublication): void {
    const buffer = this.pending.get(publication.agency) ?? [];
    buffer.push(publication);
    this.pending.set(publication.agency, buffer);
    if (buffer.length === BATCH_SIZE) this.flush(publication.agency);
  }

  flushAll(): void {
    for (const agency of [...this.pending.keys()]) this.flush(agency);
  }

  private flush(agency: DefaultAgency): void {
    const buffer = this.pending.get(agency) ?? [];
    this.pending.delete(agency);
    if (buffer.length > 0) this.onBatch(agency, buffer);
  }
}

/** The identifiers an identity event makes known, as `scheme:value`; none for other events. */
const identifiersOf = (publication: DemoPublication): string[] => {
  if (publication.event.type !== REGISTERED && publication.event.type !== LINKED) return [];
  const data = publication.event.data as {
    identifiers?: { scheme: string; value: string }[];
    scheme?: string;
    value?: string;
  };
  const listed = (data.identifiers ?? []).map(({ scheme, value }) => `${scheme}:${value}`);
  return publication.event.type === LINKED
    ? [`${data.scheme}:${data.value}`]
    : [publication.event.subject, ...listed];
};

/**
 * Orders the demo partnership as agency systems would ship it in batches of 500.
 *
 * Identity goes first (every registration, then every link) because an event about a subject is
 * refused until the subject is known. Everything is walked in time order into one buffer per
 * agency, sent when it holds 500 events, the way each agency's system batches its own output; an
 * agency's events keep their order, so corrections still follow the events they target. Windows of
 * four weeks, as the demo loader uses, give batches of about 120 events, not 500.
 */
export function demoBatches(publications: readonly DemoPublication[]): IngestBatch[] {
  const batches: IngestBatch[] = [];
  const sent = new Set<string>();
  const buffers = new AgencyBuffers((agency, events) => {
    for (const publication of events)
      for (const identifier of identifiersOf(publication)) sent.add(identifier);
    batches.push({
      agency,
      count: events.length,
      body: JSON.stringify(events.map((publication) => publication.event)),
    });
  });
  const registrations = publications.filter((p) => p.event.type === REGISTERED);
  const links = publications.filter((p) => p.event.type === LINKED);
  for (const registration of registrations) buffers.add(registration);
  buffers.flushAll();
  for (const link of links) {
    // A link that names its subject by an identifier still waiting in another buffer goes after it.
    if (!sent.has(link.event.subject)) buffers.flushAll();
    buffers.add(link);
  }
  buffers.flushAll();
  for (const publication of publications) {
    if (publication.event.type !== REGISTERED && publication.event.type !== LINKED) buffers.add(publication);
  }
  buffers.flushAll();
  return batches;
}
