#!/usr/bin/env node
// An agency system publishing to Throughline over Kafka: a registration and an arrest in
// structured mode, then a home visit in binary mode, for a made-up person. Plain Node and kafkajs,
// no build step. See docs/kafka.md.
//
//   KAFKA_BROKERS=127.0.0.1:9092 node infra/kafka/example-publisher/publish.js
// Against a broker that checks credentials, as police (credential.js):
//   KAFKA_SASL_MECHANISM=scram-sha-512 KAFKA_SASL_USERNAME=police KAFKA_SASL_PASSWORD_FILE=... node ...
'use strict';

const { randomUUID } = require('node:crypto');
const { Kafka, Partitioners, logLevel } = require('kafkajs');
const { credential } = require('./credential');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',').map((b) => b.trim());
const prefix = process.env.KAFKA_TOPIC_PREFIX || 'throughline';
const topic = `${prefix}.ingest.police`;
// Must be bound to police: by default any urn:throughline:police:... source is (KAFKA_SOURCES).
const source = 'urn:throughline:police:custody';

// A made-up Police National Computer number, different on every run so the person is new. Its
// check letter is the two-digit year and serial as one number, modulo 23 (see docs/events.md).
const serial = 1 + Math.floor(Math.random() * 9999999);
const pnc = `2025/${String(serial).padStart(7, '0')}${'ZABCDEFGHJKLMNPQRTUVWXY'[(25 * 1e7 + serial) % 23]}`;
const subject = `pnc:${pnc}`;
const now = () => new Date().toISOString();

/** Structured mode: the whole CloudEvent is the value. */
function structured(type, data) {
  const event = {
    specversion: '1.0',
    id: randomUUID(),
    source,
    type,
    subject,
    time: now(),
    datacontenttype: 'application/json',
    data,
  };
  return {
    key: subject, // one subject's events on one partition, so they are stored in order
    value: JSON.stringify(event),
    headers: { 'content-type': 'application/cloudevents+json' },
  };
}

/** Binary mode: the attributes are ce_ headers and the value is the data alone. */
function binary(type, data) {
  return {
    key: subject,
    value: JSON.stringify(data),
    headers: {
      ce_specversion: '1.0',
      ce_id: randomUUID(),
      ce_source: source,
      ce_type: type,
      ce_subject: subject,
      ce_time: now(),
      'content-type': 'application/json',
    },
  };
}

async function main() {
  const kafka = new Kafka({
    clientId: 'example-police-publisher',
    brokers,
    ...credential(),
    logLevel: logLevel.WARN,
  });
  // Idempotent: a retried send cannot duplicate or reorder records (and the platform would store a
  // repeated (source, id) once anyway).
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const messages = [
      structured('iom.subject.registered.v1', {
        givenName: 'Jordan',
        familyName: 'Example',
        dateOfBirth: '1994-07-21',
        gender: 'male',
        // The police register the person under the PNC they issued; other agencies link their own.
        identifiers: [{ scheme: 'pnc', value: pnc }],
      }),
      structured('iom.arrest.recorded.v1', {
        offence: 'Theft from a motor vehicle',
        offenceGroup: 'vehicle-crime',
        arrestedAt: now(),
        custodySuite: 'Central Custody',
      }),
      binary('iom.home-visit.recorded.v1', { outcome: 'seen', by: 'PC 1234 Example' }),
    ];
    // acks -1: the send resolves once every in-sync replica has the records.
    const sent = await producer.send({ topic, messages, acks: -1 });
    for (const { partition, baseOffset } of sent)
      console.log(
        `published ${messages.length} records about ${subject} to ${topic}[${partition}] from offset ${baseOffset}`,
      );
    console.log(
      `check: curl -H "Authorization: Bearer $(npx throughline token --agency police --role iom-officer)" -H "X-Purpose-Of-Use: case-management" "http://localhost:3000/v1/subjects?q=${encodeURIComponent(pnc)}"`,
    );
  } finally {
    await producer.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
