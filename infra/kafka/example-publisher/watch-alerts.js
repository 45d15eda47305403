#!/usr/bin/env node
// Prints the alerts Throughline sends one agency, as a practitioner's system would receive them.
// Plain Node and kafkajs. See docs/kafka.md.
//
//   KAFKA_BROKERS=127.0.0.1:9092 node infra/kafka/example-publisher/watch-alerts.js police
'use strict';

const { randomUUID } = require('node:crypto');
const { Kafka, logLevel } = require('kafkajs');
const { credential } = require('./credential');

const agency = process.argv[2] || 'police';
const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',').map((b) => b.trim());
const prefix = process.env.KAFKA_TOPIC_PREFIX || 'throughline';
const topic = `${prefix}.alerts.${agency}`;

async function main() {
  const kafka = new Kafka({
    clientId: `example-${agency}-alerts`,
    brokers,
    ...credential(),
    logLevel: logLevel.WARN,
  });
  // A throwaway group reads the topic from the start; a real consumer keeps one group id. Named
  // after the agency: the broker's ACLs let an agency use groups starting `<agency>-` only.
  const consumer = kafka.consumer({ groupId: `${agency}-example-alerts-${randomUUID()}` });
  const seen = new Set();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const alert = JSON.parse(message.value.toString());
      // kafkajs reads committed records only (its default), where each alert arrives once; a
      // reader of uncommitted records would also see aborted ones, sent again under the same id.
      if (seen.has(alert.id)) return;
      seen.add(alert.id);
      console.log(
        `${alert.time} ${alert.type} subject ${alert.subject}: ${JSON.stringify(alert.data.fields)}`,
      );
    },
  });
  console.log(`watching ${topic}; Ctrl-C to stop`);
  const stop = () => consumer.disconnect().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
