#!/usr/bin/env bash
# The kafka-acls step of docker-compose.yml: the admin's client settings from its secret, then the
# ACLs of infra/kafka/acls.sh. Adding an ACL that exists changes nothing, so it runs on every `up`.
set -euo pipefail
admin="$(tr -d '\r\n' </run/secrets/kafka-admin-password)"
work=/tmp/throughline
mkdir -p -m 0700 "$work"
(umask 077 && cat >"$work/admin.properties" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
PROPS
)
KAFKA_ACLS=/opt/kafka/bin/kafka-acls.sh KAFKA_ACLS_BOOTSTRAP=kafka:9092 KAFKA_ACLS_CONFIG="$work/admin.properties" \
  exec bash /throughline/acls.sh "$@"
