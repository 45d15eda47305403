import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { DEFAULT_AGENCIES } from '@throughline/domain';
import { DEFAULT_TOPIC_PREFIX, kafkaTopics } from './kafka-settings';

const DOCUMENT = join(__dirname, '..', '..', '..', 'docs', 'asyncapi.yaml');
// The diagnostics are typed with spectral's own copy of @stoplight/types, so compare the numbers.
const isError = (severity: number): boolean => severity === Number(DiagnosticSeverity.Error);

describe('docs/asyncapi.yaml', () => {
  it('is a valid AsyncAPI 3 document whose channels are exactly the topics the code uses', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(DOCUMENT, 'utf8'), {
      source: DOCUMENT,
    });
    expect(
      diagnostics
        .filter((d) => isError(Number(d.severity)))
        .map((d) => `${d.path.join('.')} (line ${d.range.start.line + 1}): ${d.message}`),
    ).toEqual([]);
    expect(document?.version()).toBe('3.0.0');

    const addresses = document!
      .channels()
      .all()
      .map((channel) => channel.address());
    expect([...addresses].sort()).toEqual(kafkaTopics(DEFAULT_TOPIC_PREFIX, DEFAULT_AGENCIES).sort());
  });

  it('describes a message for every topic that carries records', async () => {
    const { document } = await new Parser().parse(readFileSync(DOCUMENT, 'utf8'), { source: DOCUMENT });
    const names = (address: string): string[] =>
      document!
        .channels()
        .all()
        .find((channel) => channel.address() === address)!
        .messages()
        .all()
        .map((message) => message.name() ?? '');
    for (const agency of DEFAULT_AGENCIES) {
      expect(names(`${DEFAULT_TOPIC_PREFIX}.ingest.${agency}`)).toEqual([
        'StructuredCloudEvent',
        'BinaryCloudEvent',
      ]);
      expect(names(`${DEFAULT_TOPIC_PREFIX}.alerts.${agency}`)).toEqual(['Alert']);
    }
    expect(names(`${DEFAULT_TOPIC_PREFIX}.ingest.dlq`)).toEqual(['DeadLetter']);
  });
});
