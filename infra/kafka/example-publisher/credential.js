'use strict';
// The agency's Kafka credential for the examples, from the settings the worker reads too:
// KAFKA_SASL_MECHANISM (scram-sha-512), KAFKA_SASL_USERNAME (the agency's user),
// KAFKA_SASL_PASSWORD_FILE, and KAFKA_SSL=true for TLS. Unset: plaintext, no credential.
const { readFileSync } = require('node:fs');

function credential(env = process.env) {
  const options = { ssl: env.KAFKA_SSL === 'true' };
  if (!env.KAFKA_SASL_MECHANISM) return options;
  if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD_FILE)
    throw new Error('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD_FILE');
  const password = readFileSync(env.KAFKA_SASL_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
  return {
    ...options,
    sasl: { mechanism: env.KAFKA_SASL_MECHANISM.toLowerCase(), username: env.KAFKA_SASL_USERNAME, password },
  };
}

module.exports = { credential };
