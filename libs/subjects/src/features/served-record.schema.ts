import type { ApiResponseSchemaHost } from '@nestjs/swagger';
import { DATA_CATEGORIES } from '@throughline/domain';
import { CATEGORY_BASES, WITHHELD_BASES } from '@throughline/sharing';

type SchemaObject = ApiResponseSchemaHost['schema'];

const BASES_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    "The reader's basis for each data category of other agencies' data, from the agreement and the " +
    "subject's consent, safeguarding and break-glass state alone, never from the data: shared " +
    '(the agreement shares it for this purpose), consent (shared with the consent in force), ' +
    'safeguarding (shared while a concern is open), break-glass (opened by your own live claim), ' +
    'shared-in-part (only some event types, data values or fields), not-shared, consent-required ' +
    '(shared only with consent; none in force for you), safeguarding-only (shared only while a ' +
    'safeguarding concern is open)',
  properties: Object.fromEntries(
    DATA_CATEGORIES.map((category) => [category, { type: 'string', enum: [...CATEGORY_BASES] }]),
  ),
  required: [...DATA_CATEGORIES],
};

const withheldSchema = (keys: string): SchemaObject => ({
  type: 'object',
  description:
    `Each withheld field (${keys}) with the basis it is withheld on. A withheld field is null ` +
    'whether or not the subject has data behind it: null there never means none.',
  additionalProperties: { type: 'string', enum: [...WITHHELD_BASES] },
});

/** `GET /v1/subjects/{id}`: the fields every reader is told about what is withheld. */
export const SERVED_RECORD_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    'The subject record cut to what your agency may see, folded in the order things happened (event ' +
    'time). What depends on the clock is as of the read: custody.onLicence only until the licence ' +
    'ends; supervision.upcomingAppointments only those still to come, past ones never closed in ' +
    'supervision.awaitingOutcome. A field the reader may not see is null and ' +
    'named in `withheld`; it is never given as 0, false or an empty list.',
  properties: {
    subjectId: { type: 'string', format: 'uuid' },
    currentAddress: {
      type: 'object',
      nullable: true,
      description:
        'The address the latest accommodation change gives; null when it gives none or is withheld',
    },
    lastArrest: { type: 'object', nullable: true, description: 'The latest arrest by when it happened' },
    charges: {
      type: 'array',
      nullable: true,
      description: 'Charges, latest first, each with outcome bailed or remanded',
    },
    convictions: { type: 'array', nullable: true, description: 'Convictions, latest first' },
    safeguardingConcerns: {
      type: 'array',
      nullable: true,
      description: 'Safeguarding concerns open now (not closed, not expired), each with its kind and expiry',
    },
    consentsInForce: {
      type: 'array',
      description:
        "The consents in force now that open another agency's data to your agency: the controller that " +
        'recorded it, the category and purpose it opens, the consent event, and its expiry (null: none)',
      items: {
        type: 'object',
        properties: {
          controller: { type: 'string' },
          category: { type: 'string', enum: [...DATA_CATEGORIES] },
          purpose: { type: 'string' },
          eventId: { type: 'string' },
          expires: { type: 'string', format: 'date-time', nullable: true },
        },
        required: ['controller', 'category', 'purpose', 'eventId', 'expires'],
      },
    },
    bases: BASES_SCHEMA,
    withheld: {
      ...withheldSchema('a path of the record, such as arrests or custody.establishment'),
      example: { arrests: 'not-shared', 'supervision.attended': 'consent-required' },
    },
  },
  required: ['subjectId', 'bases', 'withheld', 'consentsInForce'],
  additionalProperties: true,
};

/** `GET /v1/subjects`: each summary names its withheld fields as the record does. */
export const SUBJECT_LIST_SCHEMA: SchemaObject = {
  type: 'object',
  properties: {
    subjects: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          subjectId: { type: 'string', format: 'uuid' },
          bases: {
            ...BASES_SCHEMA,
            description:
              'The basis for the categories a summary is drawn from (identity, cohort, custody, intelligence)',
            required: [],
          },
          withheld: withheldSchema('a field of the summary, such as wanted or band'),
        },
        additionalProperties: true,
      },
    },
    nextCursor: {
      type: 'string',
      nullable: true,
      description: 'Send as `cursor` for the next page; null on the last page',
    },
    heldBack: { type: 'integer', description: 'How many subjects are left out, held back pending repair' },
  },
  required: ['subjects', 'nextCursor'],
};
