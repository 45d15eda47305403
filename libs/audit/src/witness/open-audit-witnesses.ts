import type { ThroughlineConfig } from '@throughline/platform';
import type { AuditWitness } from './audit-witness';
import { FileWitness } from './file-witness';
import { KafkaWitness } from './kafka-witness';

/** The witnesses the configuration names: a file (AUDIT_WITNESS_FILE), a Kafka topic (with KAFKA_BROKERS). */
export function openAuditWitnesses(
  config: Pick<
    ThroughlineConfig,
    'auditWitnessFile' | 'auditWitnessTopic' | 'kafkaBrokers' | 'kafkaSecurity' | 'logLevel'
  >,
): AuditWitness[] {
  const witnesses: AuditWitness[] = [];
  if (config.auditWitnessFile) witnesses.push(new FileWitness(config.auditWitnessFile));
  if (config.auditWitnessTopic && config.kafkaBrokers.length > 0)
    witnesses.push(
      new KafkaWitness(
        config.kafkaBrokers,
        config.auditWitnessTopic,
        config.logLevel === 'silent',
        config.kafkaSecurity,
      ),
    );
  return witnesses;
}
