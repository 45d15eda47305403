import { IsIn, IsString, Length } from 'class-validator';
import { defineEvent } from './spec';

export const HEALTH_CONCERN_KINDS = ['overdose', 'self-harm', 'mental-health', 'physical'] as const;
export type HealthConcernKind = (typeof HEALTH_CONCERN_KINDS)[number];

export class HealthConcernRecordedV1 {
  @IsIn(HEALTH_CONCERN_KINDS) readonly kind!: HealthConcernKind;
  @IsString() @Length(1, 1000) readonly summary!: string;
}

export const healthEvents = {
  'iom.health.concern-recorded.v1': defineEvent({
    category: 'health',
    publishers: ['health', 'prison'],
    schema: HealthConcernRecordedV1,
    summary: 'A health or prison healthcare worker records a concern about the subject.',
  }),
} as const;
