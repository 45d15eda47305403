import { loadConfig } from '@throughline/platform';
import {
  agencyOfIngestTopic,
  boundSources,
  kafkaTopics,
  loadKafkaSettings,
  parseSourceBindings,
} from './kafka-settings';

describe('Kafka settings', () => {
  const config = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9092', DATA_DIR: '/tmp/unused' });

  it('has documented defaults', () => {
    expect(loadKafkaSettings(config, {})).toMatchObject({
      brokers: ['a:9092', 'b:9092'],
      topicPrefix: 'throughline',
      groupId: 'throughline-ingest',
      relayGroupId: 'throughline-alerts-relay',
      agencies: undefined,
      sources: {},
      batchSize: 1000,
      alertsFrom: 'head',
    });
  });

  it('parses KAFKA_SOURCES and refuses malformed entries', () => {
    expect(
      parseSourceBindings(
        'police=urn:throughline:police:custody|urn:throughline:police:iom, prison=urn:throughline:prison:nomis',
      ),
    ).toEqual({
      police: ['urn:throughline:police:custody', 'urn:throughline:police:iom'],
      prison: ['urn:throughline:prison:nomis'],
    });
    expect(() => parseSourceBindings('police')).toThrow(/agency=source/);
    expect(() => parseSourceBindings('police=a=b')).toThrow(/agency=source/);
  });

  it('binds configured sources exactly, and otherwise the agency URN namespace', () => {
    const settings = { sources: { police: ['urn:other:custody'] } };
    expect(boundSources(settings, 'police', ['urn:throughline:police:custody'])).toEqual([
      'urn:other:custody',
    ]);
    expect(
      boundSources(settings, 'prison', [
        'urn:throughline:prison:nomis',
        'urn:throughline:police:x',
        'urn:throughline:prison:',
      ]),
    ).toEqual(['urn:throughline:prison:nomis']);
  });

  it('names topics in one place and reads the agency back from an ingest topic', () => {
    expect(kafkaTopics('throughline', ['police'])).toEqual([
      'throughline.ingest.police',
      'throughline.ingest.dlq',
      'throughline.alerts.police',
      'throughline.internal.alerts-relay-checkpoint',
    ]);
    expect(agencyOfIngestTopic('throughline', 'throughline.ingest.police')).toBe('police');
    expect(agencyOfIngestTopic('throughline', 'throughline.ingest.dlq')).toBeUndefined();
    expect(agencyOfIngestTopic('throughline', 'throughline.alerts.police')).toBeUndefined();
  });
});
