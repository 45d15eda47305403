#!/usr/bin/env bash
# The kafka service's entrypoint in docker-compose.yml (image apache/kafka): formats the data
# directory on the first start with a SCRAM credential for every user, each password read from its
# compose secret (/run/secrets/kafka-<user>-password), then runs the broker. Later starts find the
# directory formatted and leave the users as they are: add one to a running broker with
# kafka-configs.sh --alter --add-config 'SCRAM-SHA-512=[password=...]' --entity-type users.
set -euo pipefail

users="${KAFKA_SCRAM_USERS:?list the users, admin first}"
work=/tmp/throughline
mkdir -p -m 0700 "$work"

secret() {
  local file="/run/secrets/kafka-$1-password" value
  [[ -r "$file" ]] || {
    echo "start-broker: the secret kafka-$1-password is missing ($file)" >&2
    exit 1
  }
  value="$(tr -d '\r\n' <"$file")"
  # The value goes into a JAAS line and a --add-scram argument: keep it to characters that need no quoting.
  [[ "$value" =~ ^[A-Za-z0-9._~-]{16,}$ ]] || {
    echo "start-broker: kafka-$1-password must be 16 or more letters, digits, . _ ~ -" >&2
    exit 1
  }
  printf '%s' "$value"
}

admin="$(secret admin)"
(umask 077 && sed "s|@ADMIN_PASSWORD@|$admin|" /throughline/server.properties >"$work/server.properties")
# For the health check and the ACL step: the admin's client settings.
(umask 077 && cat >"$work/admin.properties" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
PROPS
)

scram=()
for user in $users; do
  scram+=(--add-scram "SCRAM-SHA-512=[name=$user,password=$(secret "$user")]")
done
/opt/kafka/bin/kafka-storage.sh format --ignore-formatted -t "${CLUSTER_ID:?}" -c "$work/server.properties" "${scram[@]}"
exec /opt/kafka/bin/kafka-server-start.sh "$work/server.properties"
