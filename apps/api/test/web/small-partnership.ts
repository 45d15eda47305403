import type { INestApplicationContext } from '@nestjs/common';
import { DEMO_SOURCES, type DemoPublication, generateDemo, recordDemoMeetings } from '@throughline/demo';
import { IngestEventsService } from '@throughline/ingestion';

const IDENTITY = new Set(['iom.subject.registered.v1', 'iom.subject.identifier-linked.v1']);
const WINDOW_MS = 28 * 86_400_000;

/**
 * A smaller deterministic partnership than `npm start -- --demo` (the full 320 people take most of
 * a minute to load), published as loadDemoPartnership publishes: through the ingestion use case,
 * as each agency's system, in four-week windows with identity events first, and the meetings the
 * chair recorded last.
 */
export async function loadSmallPartnership(
  app: INestApplicationContext,
  options: { seed?: number; subjects?: number } = {},
): Promise<{ subjects: number; events: number }> {
  const ingestion = app.get(IngestEventsService);
  const demo = generateDemo({ seed: options.seed ?? 1, subjects: options.subjects ?? 40 });
  const { publications } = demo;
  let window: DemoPublication[] = [];
  let windowEnd = Number.NEGATIVE_INFINITY;
  const publish = async (list: readonly DemoPublication[]): Promise<void> => {
    const phases = [
      list.filter((p) => p.event.type === 'iom.subject.registered.v1'),
      list.filter((p) => p.event.type === 'iom.subject.identifier-linked.v1'),
      list.filter((p) => !IDENTITY.has(p.event.type)),
    ];
    for (const phase of phases) {
      for (const agency of new Set(phase.map((p) => p.agency))) {
        const events = phase.filter((p) => p.agency === agency).map((p) => p.event);
        const publisher = { id: `${agency}-demo-system`, agency, sources: DEMO_SOURCES[agency] };
        for (let i = 0; i < events.length; i += 500)
          await ingestion.ingest(events.slice(i, i + 500), publisher);
      }
    }
  };
  for (const publication of publications) {
    const at = Date.parse(publication.event.time);
    if (at >= windowEnd && window.length > 0) {
      await publish(window);
      window = [];
    }
    if (window.length === 0) windowEnd = at + WINDOW_MS;
    window.push(publication);
  }
  if (window.length > 0) await publish(window);
  await recordDemoMeetings(app, demo);
  const subjects = publications.filter((p) => p.event.type === 'iom.subject.registered.v1').length;
  return { subjects, events: publications.length };
}
