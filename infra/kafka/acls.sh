#!/usr/bin/env bash
# The ACLs of a partnership's broker: each agency may publish to its own ingest topic and read its
# own alerts topic, nothing else; the worker reads the ingest topics and writes what it produces.
# One list, used by kafka.sh start-secure and by the kafka-acls step of docker-compose.yml.
#
# Usage: acls.sh WORKER_USER API_USER AGENCY...
# Environment:
#   KAFKA_ACLS            the kafka-acls command (word-split; default kafka-acls.sh)
#   KAFKA_ACLS_BOOTSTRAP  the broker to ask (default 127.0.0.1:9092)
#   KAFKA_ACLS_CONFIG     the admin's client properties (security.protocol, sasl.*)
#   KAFKA_TOPIC_PREFIX    first part of every topic name (default throughline)
#   KAFKA_GROUP_PREFIX    what the worker's consumer group names start with (default the topic prefix)
#   KAFKA_RELAY_GROUP_ID  the alerts relay's transactional id (default throughline-alerts-relay)
#   AUDIT_WITNESS_TOPIC   default <prefix>.audit.checkpoints
# Adding an ACL that exists already changes nothing, so running it again is safe.
set -euo pipefail

[[ $# -ge 3 ]] || {
  echo "usage: $0 WORKER_USER API_USER AGENCY..." >&2
  exit 2
}
worker="$1" api="$2"
shift 2
prefix="${KAFKA_TOPIC_PREFIX:-throughline}"
groups="${KAFKA_GROUP_PREFIX:-$prefix}"
relay="${KAFKA_RELAY_GROUP_ID:-throughline-alerts-relay}"
witness="${AUDIT_WITNESS_TOPIC:-$prefix.audit.checkpoints}"
# The command is split into words, never expanded as a glob (a classpath ends in /*).
set -f
# shellcheck disable=SC2206
acls=(${KAFKA_ACLS:-kafka-acls.sh})
set +f

acl() {
  "${acls[@]}" --bootstrap-server "${KAFKA_ACLS_BOOTSTRAP:-127.0.0.1:9092}" \
    ${KAFKA_ACLS_CONFIG:+--command-config "$KAFKA_ACLS_CONFIG"} --add --force "$@" >/dev/null
}
ops() { for op in "$@"; do printf -- '--operation\n%s\n' "$op"; done; }

for agency in "$@"; do
  [[ "$agency" =~ ^[a-z0-9-]+$ ]] || {
    echo "acls.sh: agency '$agency' is not a topic name part" >&2
    exit 2
  }
  # Publishing (Write; idempotence is implied by it) to its own ingest topic, reading its alerts.
  mapfile -t o < <(ops Write Describe)
  acl --allow-principal "User:$agency" "${o[@]}" --topic "$prefix.ingest.$agency"
  mapfile -t o < <(ops Read Describe)
  acl --allow-principal "User:$agency" "${o[@]}" --topic "$prefix.alerts.$agency" \
    --resource-pattern-type literal
  acl --allow-principal "User:$agency" --operation Read --group "$agency-" --resource-pattern-type prefixed
done

w=(--allow-principal "User:$worker")
# Ingest topics: consume, and create the missing ones at start. The dead-letter topic, the relay's
# checkpoint and the audit witness: written and read back.
mapfile -t o < <(ops Read Describe Create)
acl "${w[@]}" "${o[@]}" --topic "$prefix.ingest." --resource-pattern-type prefixed
mapfile -t o < <(ops Read Write Describe Create)
acl "${w[@]}" "${o[@]}" --topic "$prefix.ingest.dlq" --topic "$prefix.internal.alerts-relay-checkpoint" \
  --topic "$witness" --resource-pattern-type literal
mapfile -t o < <(ops Write Describe Create)
acl "${w[@]}" "${o[@]}" --topic "$prefix.alerts." --resource-pattern-type prefixed
# The ingest group, the relay's read-back groups and the witness's verification groups.
mapfile -t o < <(ops Read Describe Delete)
acl "${w[@]}" "${o[@]}" --group "$groups" --resource-pattern-type prefixed
mapfile -t o < <(ops Write Describe)
acl "${w[@]}" "${o[@]}" --transactional-id "$relay" --resource-pattern-type literal

# The API only witnesses audit checkpoints (and reads them back for `audit verify`).
if [[ "$api" != "-" ]]; then
  a=(--allow-principal "User:$api")
  mapfile -t o < <(ops Read Write Describe Create)
  acl "${a[@]}" "${o[@]}" --topic "$witness" --resource-pattern-type literal
  mapfile -t o < <(ops Read Describe Delete)
  acl "${a[@]}" "${o[@]}" --group "$witness.verify." --resource-pattern-type prefixed
fi
