import type { INestApplication } from '@nestjs/common';
import type { Principal } from '@throughline/auth';
import type { PurposeOfUse } from '@throughline/domain';
import { EventStore } from '@throughline/event-store';
import { ReadModelStore } from '@throughline/projections';
import { AgreementService, buildReadPolicy } from '@throughline/sharing';
import {
  discloseSubject,
  loadSubjectDoc,
  type StoredSubjectDoc,
  SUBJECT_VIEWS,
  type SubjectDoc,
  SubjectReader,
} from '@throughline/subjects';

/** Mean microseconds per read for each step, over the same subjects the HTTP load cycled through. */
export interface ReadCosts {
  /**
   * Loading the subject's whole document: `ReadModelStore.get` of the stored document, then its
   * timeline folded from the subject's stream (what the read path does once per document version).
   */
  readonly rawGetUs: number;
  /** `SubjectReader.read`: the whole read path behind GET /v1/subjects/{id}, without HTTP. */
  readonly readUs: number;
  /** `buildReadPolicy`: the CASL ability for one request. */
  readonly buildPolicyUs: number;
  /** `discloseSubject`: deciding each entry and cutting its fields under that ability. */
  readonly discloseUs: number;
}

/**
 * The steps take turns in short slices, several rounds over, and each keeps its median slice: on a
 * shared machine a burst of other work then lands on every step alike instead of on one of them.
 */
const ROUNDS = 5;
const SLICE_MS = 300;

async function microsPerCall(count: number, step: (index: number) => unknown): Promise<number> {
  let calls = 0;
  const started = performance.now();
  const until = started + SLICE_MS;
  for (; performance.now() < until; calls += 1) await step(calls % count);
  return ((performance.now() - started) * 1000) / calls;
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * Times the policy step (building the ability, then applying it to every entry) in-process on
 * documents loaded beforehand, beside the whole read and the raw document fetch, in the API's own
 * process with the load stopped.
 */
export async function measureReadCosts(
  app: INestApplication,
  principal: Principal,
  purpose: PurposeOfUse,
  docs: readonly SubjectDoc[],
): Promise<ReadCosts> {
  const readModels = app.get(ReadModelStore);
  const events = app.get(EventStore);
  const reader = app.get(SubjectReader);
  const agreement = await app.get(AgreementService).current();
  const loadWhole = async (subjectId: string) =>
    loadSubjectDoc(
      events,
      (await readModels.get<StoredSubjectDoc>(SUBJECT_VIEWS, subjectId))!,
      () => agreement,
    );
  const policyOf = (doc: SubjectDoc) =>
    buildReadPolicy({ reader: principal, purpose, agreement, sharing: doc.sharing, now: new Date() });
  const policies = docs.map(policyOf);
  const steps: Record<keyof ReadCosts, (index: number) => unknown> = {
    rawGetUs: (i) => loadWhole(docs[i]!.subjectId),
    readUs: (i) => reader.read(principal, docs[i]!.subjectId, purpose),
    buildPolicyUs: (i) => policyOf(docs[i]!),
    discloseUs: (i) => discloseSubject(docs[i]!, principal.agency, policies[i]!),
  };
  const slices = new Map<keyof ReadCosts, number[]>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, step] of Object.entries(steps) as [keyof ReadCosts, (index: number) => unknown][]) {
      slices.set(name, [...(slices.get(name) ?? []), await microsPerCall(docs.length, step)]);
    }
  }
  const costOf = (name: keyof ReadCosts): number => median(slices.get(name) ?? []);
  return {
    rawGetUs: costOf('rawGetUs'),
    readUs: costOf('readUs'),
    buildPolicyUs: costOf('buildPolicyUs'),
    discloseUs: costOf('discloseUs'),
  };
}
