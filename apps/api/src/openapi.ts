import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { DATA_CATEGORIES, eventJsonSchema, EVENT_TYPES } from '@throughline/domain';

type Schema = Record<string, unknown>;
type Operation = {
  operationId?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: unknown[];
};

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const object = (
  properties: Record<string, Schema>,
  required: string[] = Object.keys(properties),
): Schema => ({
  type: 'object',
  properties,
  required,
});
const string: Schema = { type: 'string' };
const integer: Schema = { type: 'integer' };
const instant: Schema = { type: 'string', format: 'date-time' };
const uuid: Schema = { type: 'string', format: 'uuid' };
const array = (items: Schema): Schema => ({ type: 'array', items });
const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type, 'null'] });

/** An event type's name as a schema component name. */
const eventComponent = (type: string): string => `Event.${type}`;

/**
 * The schemas the routes share: the envelope and each event type (the catalogue's own JSON Schemas,
 * the files in docs/schemas), problem details, and the bodies the routes answer with.
 */
/** One notification in a person's inbox (libs/subjects/src/domain/inbox.ts). */
const notification = {
  type: 'object',
  properties: {
    eventId: uuid,
    position: integer,
    subjectId: uuid,
    name: { type: ['string', 'null'], description: 'null where the reader is not served the name' },
    kind: {
      type: 'string',
      enum: [
        'arrest',
        'custody-received',
        'custody-transferred',
        'release-planned',
        'custody-released',
        'wanted',
        'appointment-missed',
        'breach',
        'recall',
      ],
    },
    eventType: string,
    publisher: string,
    category: string,
    occurredAt: instant,
    recordedAt: { type: ['string', 'null'], format: 'date-time' },
    fields: { type: 'object', description: "The event's data as the reader's cut serves it" },
    notice: {
      type: ['object', 'null'],
      properties: { days: integer, short: { type: 'boolean' } },
      required: ['days', 'short'],
      description: 'A planned release whose date the reader is served: short under 28 days',
    },
    yours: { type: 'boolean', description: 'The reader is the person’s key worker for their agency' },
    read: { type: 'boolean' },
  },
  required: [
    'eventId',
    'position',
    'subjectId',
    'name',
    'kind',
    'eventType',
    'publisher',
    'category',
    'occurredAt',
    'recordedAt',
    'fields',
    'notice',
    'yours',
    'read',
  ],
} satisfies Schema & { required: string[]; properties: Record<string, Schema> };

function sharedSchemas(): Record<string, Schema> {
  const events = Object.fromEntries(
    EVENT_TYPES.map((type) => [eventComponent(type), rehome(eventJsonSchema(type))]),
  );
  const auditRecord = object({
    seq: integer,
    contentHash: string,
    prevHash: string,
    hash: string,
    content: object(
      {
        id: uuid,
        at: instant,
        requestId: nullable(string),
        principal: object({ kind: string, user: string, agency: string, role: nullable(string) }, [
          'kind',
          'user',
          'agency',
        ]),
        action: string,
        outcome: { type: 'string', enum: ['disclosed', 'refused'] },
        purpose: nullable(string),
        agreementVersion: nullable(string),
        subjects: array({
          type: 'object',
          description: 'Each subject disclosed: partnership id, grounds, fields by category, log positions',
        }),
        refusal: nullable({
          type: 'object',
          description: 'Why a refused attempt was refused: status, reason, rule, route',
        }),
      },
      ['id', 'at', 'principal', 'action', 'outcome', 'subjects'],
    ),
  });
  const ingestResult = object({
    id: string,
    subjectId: uuid,
    stream: string,
    revision: integer,
    position: integer,
    duplicate: { type: 'boolean' },
  });
  const found = object({
    subjectId: uuid,
    givenName: nullable(string),
    familyName: nullable(string),
    dateOfBirth: nullable(string),
    identifiers: array(string),
  });
  return {
    ...events,
    CloudEvent: {
      description: 'One CloudEvent in structured mode: the envelope and the data of its type',
      oneOf: EVENT_TYPES.map((type) => ref(eventComponent(type))),
    },
    CloudEventBatch: { type: 'array', items: ref('CloudEvent'), minItems: 1, maxItems: 1000 },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details (application/problem+json)',
      properties: {
        type: { type: 'string', format: 'uri' },
        title: string,
        status: integer,
        detail: string,
        instance: string,
        disclosureId: { ...uuid, description: 'The audit record of a refusal' },
        errors: array(
          object({ index: integer, field: string, constraint: string, message: string }, [
            'field',
            'constraint',
            'message',
          ]),
        ),
      },
      required: ['type', 'title', 'status'],
      additionalProperties: true,
    },
    IngestResult: ingestResult,
    IngestBatchResult: object({ results: array(ingestResult) }),
    AuditRecord: auditRecord,
    AuditRegisterPage: object({ disclosures: array(ref('AuditRecord')), nextBefore: nullable(integer) }),
    DisclosureReceipt: object({
      record: ref('AuditRecord'),
      proof: array(object({ seq: integer, contentHash: string })),
      checkpoint: object({ seq: integer, hash: string, signature: string, keyId: string }, [
        'seq',
        'hash',
        'signature',
      ]),
      publicKey: string,
      howToVerify: string,
    }),
    AuditVerifyResult: object({
      ok: { type: 'boolean' },
      records: integer,
      checkpoints: integer,
      lastSeq: integer,
      lastHash: string,
      firstFault: nullable({ type: 'object' }),
      witnesses: array({ type: 'object' }),
    }),
    PublicKey: object({ keyId: string, publicKey: string }),
    SubjectFound: found,
    SubjectSearchResult: object({ subjects: array(ref('SubjectFound')) }),
    PossibleDuplicates: object({
      duplicates: array(
        object({
          reasons: array({ type: 'string', enum: ['identifier', 'name-and-birth'] }),
          records: { type: 'array', items: ref('SubjectFound'), minItems: 2, maxItems: 2 },
        }),
      ),
    }),
    SubjectAccessExport: object({
      subjectId: uuid,
      records: array(uuid),
      generatedAt: instant,
      held: array({ type: 'object', description: 'One event held, as it now stands' }),
      disclosures: array({
        type: 'object',
        description: 'One audit record, cut to what it says of this subject',
      }),
      publicKey: nullable(string),
    }),
    Notification: notification,
    NotificationOpened: {
      ...notification,
      properties: { ...notification.properties, disclosureId: uuid },
      required: [...notification.required, 'disclosureId'],
    },
    InboxPage: object({
      notifications: array(ref('Notification')),
      nextBefore: nullable(integer),
      unread: integer,
      heldBack: integer,
      asOf: integer,
      disclosureId: uuid,
    }),
    UnreadCount: object({ unread: integer }),
    TimelinePage: object({
      subjectId: uuid,
      items: array(
        object(
          {
            id: string,
            position: integer,
            type: { type: 'string', enum: EVENT_TYPES },
            time: instant,
            recordedAt: instant,
            agency: string,
            source: string,
            category: { type: 'string', enum: DATA_CATEGORIES },
            data: { type: 'object' },
            corrected: object({ at: instant }),
            redacted: object({ at: instant }),
            erased: object({ at: instant }),
          },
          ['id', 'position', 'type', 'time', 'agency', 'category', 'data'],
        ),
      ),
      nextBefore: nullable(integer),
    }),
    Meeting: object({
      meetingId: uuid,
      date: { type: 'string', format: 'date' },
      chair: string,
      chairAgency: string,
      agenciesPresent: array(string),
      cohortClasses: array(string),
      openedAt: instant,
      closedAt: nullable(instant),
    }),
    Meetings: object({ meetings: array(ref('Meeting')) }),
    MeetingOpen: object(
      {
        date: { type: 'string', format: 'date' },
        agenciesPresent: array(string),
        cohortClasses: array(string),
      },
      ['date', 'agenciesPresent'],
    ),
    MeetingDecision: object(
      {
        subjectId: uuid,
        decision: { type: 'string', enum: ['adopt', 'deselect', 'escalate', 'band-change'] },
        reason: string,
        note: string,
        band: { type: 'string', enum: ['red', 'amber', 'green'] },
        cohortClass: string,
        category: { type: 'integer', minimum: 1, maximum: 4 },
        statutory: { type: 'boolean' },
        reviewDue: { type: 'string', format: 'date' },
      },
      ['subjectId', 'decision'],
    ),
    MeetingAction: object({
      subjectId: uuid,
      ownerAgency: string,
      due: { type: 'string', format: 'date' },
      text: string,
    }),
    MeetingDecisionRecorded: object({
      eventId: uuid,
      type: string,
      subjectId: uuid,
      position: integer,
      disclosureId: uuid,
    }),
    Agenda: object({
      meeting: ref('Meeting'),
      today: { type: 'string', format: 'date' },
      heldBack: integer,
      agenda: object({
        previous: nullable({
          type: 'object',
          description: 'The previous meeting: meetingId, date, closedAt',
        }),
        changed: nullable(
          array({ type: 'object', description: 'A person whose flags changed, with the changes' }),
        ),
        dueForReview: array({ type: 'object', description: 'A person due for review in 28 days or overdue' }),
        overdueActions: array({ type: 'object', description: 'An action past its due date' }),
        releases: array({ type: 'object', description: 'A person released in the next 28 days' }),
        referrals: array({
          ...object({
            subjectId: uuid,
            name: nullable(string),
            band: nullable(string),
            referredAt: { type: 'string', format: 'date-time' },
            referredBy: nullable(string),
          }),
          description: 'A person referred and not yet adopted: who referred them and when, never why',
        }),
        bandMovement: {
          type: 'object',
          description: 'Bands then and now, how many rose and fell, who moved',
        },
        covered: integer,
      }),
    }),
    Minutes: object({
      meeting: ref('Meeting'),
      final: { type: 'boolean' },
      people: array({
        type: 'object',
        description: 'A person the meeting decided about: name, decisions, actions, log positions',
      }),
    }),
    Board: object(
      {
        rows: array({ type: 'object', description: 'One person on the board: flags, band, actions' }),
        heldBack: integer,
      },
      ['rows'],
    ),
    Deselections: object({
      deselections: array(
        object(
          {
            subjectId: uuid,
            name: nullable(string),
            cohortClass: nullable(string),
            reason: string,
            at: instant,
            note: string,
          },
          ['subjectId', 'reason', 'at'],
        ),
      ),
    }),
    Measures: object({
      asOf: instant,
      window: object({ from: instant, to: instant, months: integer }),
      unitCosts: { type: 'object', additionalProperties: { type: 'number' } },
      measures: {
        type: 'object',
        description: 'Each measure with method { version, description } and its figures (docs/measures.md)',
        additionalProperties: object({ method: object({ version: integer, description: string }) }, [
          'method',
        ]),
      },
    }),
    ProjectionStatuses: object({
      projections: array(
        object(
          {
            name: string,
            position: integer,
            head: integer,
            lag: integer,
            status: string,
            writer: string,
            caughtUpOnce: { type: 'boolean' },
          },
          ['name', 'position', 'head', 'lag', 'status'],
        ),
      ),
    }),
    BreakGlassClaim: object(
      {
        justification: { type: 'string', minLength: 20, maxLength: 2000 },
        categories: array(string),
        minutes: { type: 'integer', minimum: 1 },
      },
      ['justification', 'categories', 'minutes'],
    ),
    BreakGlassClaimed: object({
      eventId: string,
      subjectId: uuid,
      categories: array(string),
      expiresAt: instant,
    }),
    BreakGlassReview: object({ outcome: { type: 'string', enum: ['approved', 'flagged'] }, note: string }, [
      'outcome',
    ]),
    BreakGlassReviewed: object({ eventId: string, claimEventId: string, outcome: string }),
    Health: object({ status: string, backend: string, head: integer, quarantined: integer }, ['status']),
    RecordsDecision: object({ eventId: string, subjectId: uuid, position: integer, disclosureId: uuid }),
    RestrictionDecision: object({
      eventId: string,
      subjectId: uuid,
      position: integer,
      disclosureId: uuid,
      restrictionId: string,
    }),
    ReviewQueue: object({
      today: { type: 'string', format: 'date' },
      reviews: array(
        object({
          subjectId: uuid,
          category: string,
          dueOn: { type: 'string', format: 'date' },
          trigger: string,
          since: { type: 'string', format: 'date' },
          years: nullable(integer),
          retained: nullable({
            type: 'object',
            description: 'The last retain decision: reason, next review, by whom',
          }),
        }),
      ),
    }),
    Restrictions: object({
      restrictions: array(
        object({
          subjectId: uuid,
          eventId: string,
          restrictionId: string,
          agency: string,
          categories: array(string),
          purposes: array(string),
          reason: string,
          legalBasis: string,
          restrictedBy: string,
          restrictedAt: instant,
        }),
      ),
    }),
    RetainDecisionBody: object(
      { reason: { type: 'string', minLength: 1 }, nextReview: { type: 'string', format: 'date' } },
      ['reason', 'nextReview'],
    ),
    RestrictBody: object(
      { categories: array(string), purposes: array(string), reason: string, legalBasis: string },
      ['categories', 'purposes', 'reason', 'legalBasis'],
    ),
    LiftBody: object({ reason: string }),
  };
}

/** The answer each route gives on success: its status and schema (or media type and schema). */
const ANSWERS: Record<
  string,
  { status: string; schema: Schema; media?: string; also?: Record<string, Schema> }
> = {
  'get /health/live': { status: '200', schema: ref('Health') },
  'get /health/ready': { status: '200', schema: ref('Health') },
  'get /v1/projections': { status: '200', schema: ref('ProjectionStatuses') },
  'post /v1/events': { status: '200', schema: { oneOf: [ref('IngestResult'), ref('IngestBatchResult')] } },
  'post /v1/subjects/{subjectId}/break-glass': { status: '201', schema: ref('BreakGlassClaimed') },
  'post /v1/audit/break-glass/{eventId}/review': { status: '201', schema: ref('BreakGlassReviewed') },
  'get /v1/audit/disclosures': { status: '200', schema: ref('AuditRegisterPage') },
  'get /v1/audit/refusals': { status: '200', schema: ref('AuditRegisterPage') },
  'get /v1/audit/disclosures/{id}': { status: '200', schema: ref('DisclosureReceipt') },
  'get /v1/audit/verify': { status: '200', schema: ref('AuditVerifyResult') },
  'get /v1/audit/public-key': { status: '200', schema: ref('PublicKey') },
  'get /v1/identity/possible-duplicates': { status: '200', schema: ref('PossibleDuplicates') },
  'get /v1/subjects/{subjectId}/access-export': { status: '200', schema: ref('SubjectAccessExport') },
  'get /v1/audit/subjects': { status: '200', schema: ref('SubjectSearchResult') },
  'get /v1/subjects/{subjectId}/timeline': { status: '200', schema: ref('TimelinePage') },
  'get /v1/tasking/board': { status: '200', schema: ref('Board') },
  'get /v1/inbox': { status: '200', schema: ref('InboxPage') },
  'get /v1/inbox/unread': { status: '200', schema: ref('UnreadCount') },
  'get /v1/inbox/{eventId}': { status: '200', schema: ref('NotificationOpened') },
  'post /v1/inbox/{eventId}/read': { status: '200', schema: ref('NotificationOpened') },
  'get /v1/inbox/stream': {
    status: '200',
    media: 'text/event-stream',
    schema: {
      type: 'string',
      description:
        'Server-sent events: `event: unread` (data `{"unread": n}`) and `event: notification` (data a Notification), each `id` a log position',
    },
  },
  'get /v1/tasking/deselections': { status: '200', schema: ref('Deselections') },
  'get /v1/measures': { status: '200', schema: ref('Measures') },
  'get /v1/meetings': { status: '200', schema: ref('Meetings') },
  'post /v1/meetings': { status: '201', schema: ref('Meeting') },
  'get /v1/meetings/{meetingId}': { status: '200', schema: ref('Meeting') },
  'post /v1/meetings/{meetingId}/close': { status: '201', schema: ref('Meeting') },
  'get /v1/meetings/{meetingId}/agenda': { status: '200', schema: ref('Agenda') },
  'post /v1/meetings/{meetingId}/decisions': { status: '201', schema: ref('MeetingDecisionRecorded') },
  'post /v1/meetings/{meetingId}/actions': {
    status: '201',
    schema: object({
      eventId: uuid,
      type: string,
      subjectId: uuid,
      position: integer,
      disclosureId: uuid,
      actionId: string,
    }),
  },
  'get /v1/meetings/{meetingId}/minutes': { status: '200', schema: ref('Minutes') },
  'get /v1/meetings/{meetingId}/minutes.md': {
    status: '200',
    media: 'text/markdown',
    schema: { type: 'string', description: 'The minutes as Markdown, an attachment' },
  },
  'get /v1/audit/reviews': { status: '200', schema: ref('ReviewQueue') },
  'post /v1/audit/reviews/{subjectId}/retain': { status: '201', schema: ref('RecordsDecision') },
  'get /v1/audit/restrictions': { status: '200', schema: ref('Restrictions') },
  'post /v1/audit/restrictions/{subjectId}': { status: '201', schema: ref('RestrictionDecision') },
  'post /v1/audit/restrictions/{subjectId}/{restrictionId}/lift': {
    status: '201',
    schema: ref('RecordsDecision'),
  },
  'get /v1/audit/unusual': {
    status: '200',
    schema: object({
      findings: array({ type: 'object', description: 'One finding: who, what pattern, when' }),
    }),
  },
  'get /v1/audit/export': {
    status: '200',
    schema: object({
      publicKey: nullable(string),
      publicKeys: array(object({ keyId: string, publicKey: string })),
      records: array(ref('AuditRecord')),
      checkpoints: array({ type: 'object' }),
    }),
    also: { 'text/csv': { type: 'string', description: 'format=csv: the register, one record a line' } },
  },
  'get /v1/audit/break-glass': {
    status: '200',
    schema: object({ claims: array({ type: 'object', description: 'One claim awaiting or past review' }) }),
  },
};

/** The request bodies the routes take. */
const BODIES: Record<string, Record<string, Schema>> = {
  'post /v1/events': {
    'application/cloudevents+json': ref('CloudEvent'),
    'application/cloudevents-batch+json': ref('CloudEventBatch'),
    'application/json': {
      type: 'object',
      description: "Binary mode: the event's data, its attributes in ce- headers",
    },
  },
  'post /v1/subjects/{subjectId}/break-glass': { 'application/json': ref('BreakGlassClaim') },
  'post /v1/audit/break-glass/{eventId}/review': { 'application/json': ref('BreakGlassReview') },
  'post /v1/audit/reviews/{subjectId}/retain': { 'application/json': ref('RetainDecisionBody') },
  'post /v1/audit/restrictions/{subjectId}': { 'application/json': ref('RestrictBody') },
  'post /v1/audit/restrictions/{subjectId}/{restrictionId}/lift': { 'application/json': ref('LiftBody') },
  'post /v1/meetings': { 'application/json': ref('MeetingOpen') },
  'post /v1/meetings/{meetingId}/decisions': { 'application/json': ref('MeetingDecision') },
  'post /v1/meetings/{meetingId}/actions': { 'application/json': ref('MeetingAction') },
};

const PROBLEMS: Record<string, string> = {
  '400': 'Bad request: a query parameter, header or body the route does not take, named in the problem',
  '401': 'No credential, or one that does not verify or names no agency the agreement knows',
  '403': 'The role, agency or purpose is not one the agreement allows here: recorded among the refusals',
  '404': 'No such subject, record or claim, or one outside what the reader may know of',
  '409': 'Conflicts with the record (an identifier held by another subject, a merge that cannot be)',
  '413': 'The body or batch is larger than the limit',
  '415': 'A content type the route does not take',
  '422': 'Well-formed but refused by a rule, each issue named with its field and constraint',
  '429': 'Over the credential’s share; Retry-After says when to try again',
  '503': 'Not ready, or the identity provider cannot be reached',
};

/** The problems a route can answer with, from what it is: secured, by id, taking a body or a purpose. */
function problemsOf(method: string, path: string, operation: Operation): string[] {
  const codes = new Set<string>(['400', '429']);
  const secured = (operation.security ?? []).length > 0;
  if (secured) for (const code of ['401', '403', '503']) codes.add(code);
  if (/\{[^}]+\}/.test(path)) codes.add('404');
  if (method === 'post') for (const code of ['413', '415', '422']) codes.add(code);
  if (path === '/v1/events' || (method === 'post' && path.startsWith('/v1/meetings'))) codes.add('409');
  if (path.startsWith('/health')) {
    codes.clear();
    if (path === '/health/ready') codes.add('503');
  }
  return [...codes].sort();
}

/**
 * The generated document made a whole contract: OpenAPI 3.1 (so the catalogue's JSON Schemas are
 * its components as they are), a server, the bearer scheme on every route that needs it and none
 * on those that do not, each route's answer and request body as component schemas, and every
 * problem a route can give as problem details.
 */
export function completeContract(document: OpenAPIObject): OpenAPIObject {
  const doc = JSON.parse(JSON.stringify(document)) as OpenAPIObject & {
    paths: Record<string, Record<string, Operation>>;
  };
  const contract = nullableToTypes(doc) as typeof doc;
  contract.openapi = '3.1.0';
  contract.servers = [{ url: '/', description: 'This deployment' }];
  contract.info.license = {
    name: 'Proprietary: the partnership’s terms of use',
    url: 'https://throughline.dev/licence',
  };
  contract.security = [{ bearer: [] }];
  contract.components = {
    ...contract.components,
    schemas: { ...contract.components?.schemas, ...sharedSchemas() },
  };
  for (const [path, operations] of Object.entries(contract.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const key = `${method} ${path}`;
      // A route without the bearer scheme is open: said so, rather than left to the root's.
      if (!operation.security) operation.security = [];
      const answer = ANSWERS[key];
      if (answer) {
        const description = operation.responses[answer.status]?.description || 'Answered';
        delete operation.responses[answer.status === '201' ? '200' : '201'];
        operation.responses[answer.status] = {
          description,
          content: Object.fromEntries(
            Object.entries({ [answer.media ?? 'application/json']: answer.schema, ...answer.also }).map(
              ([media, schema]) => [media, { schema }],
            ),
          ),
        };
      }
      const body = BODIES[key];
      if (body)
        operation.requestBody = {
          ...operation.requestBody,
          content: Object.fromEntries(Object.entries(body).map(([media, schema]) => [media, { schema }])),
        };
      for (const code of problemsOf(method, path, operation)) {
        const given = operation.responses[code]?.description;
        operation.responses[code] = {
          description: given || PROBLEMS[code]!,
          content: { 'application/problem+json': { schema: ref('Problem') } },
        };
      }
    }
  }
  return contract;
}

/** The application's contract, as `/docs-json` serves it. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const base = new DocumentBuilder()
    .setTitle('Throughline')
    .setDescription('Event-sourced information sharing for Integrated Offender Management partnerships')
    .setVersion('1')
    .addBearerAuth()
    .build();
  return completeContract(SwaggerModule.createDocument(app, base));
}

/** A catalogue schema as a component: its references to other types' data pointed at their components. */
function rehome(schema: Schema): Schema {
  return JSON.parse(
    JSON.stringify(schema).replace(
      /"urn:throughline:schema:([^"#]+)#/g,
      (_match, type: string) => `"#/components/schemas/${eventComponent(type)}`,
    ),
  ) as Schema;
}

/** OpenAPI 3.0's `nullable: true` as 3.1 says it: the type and null. */
function nullableToTypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nullableToTypes);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, inner]) => [key, nullableToTypes(inner)] as const,
  );
  const result = Object.fromEntries(entries.filter(([key]) => key !== 'nullable'));
  if ((value as { nullable?: unknown }).nullable === true && typeof result.type === 'string')
    result.type = [result.type, 'null'];
  return result;
}
