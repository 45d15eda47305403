#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft) for tests, run straight from Maven Central jars.
#
#   kafka.sh fetch    resolve the broker classpath into target/libs (once; later calls are no-ops)
#   kafka.sh start    start a throwaway broker on 127.0.0.1:9092 and wait until it answers
#   kafka.sh stop     stop the broker this script started and delete its data
#   kafka.sh status   exit 0 if a broker is reachable on 127.0.0.1:9092, 3 if not
#   kafka.sh start-secure | stop-secure | status-secure
#                     the same for a broker that authenticates clients (SASL/SCRAM-SHA-512) and
#                     authorises them with ACLs (acls.sh), on 127.0.0.1:9192 (controller 9193),
#                     beside the plain one. Users: admin (super user), worker, api and one per agency
#                     (KAFKA_SECURE_AGENCIES, default police probation prison health housing
#                     voluntary), each with a password generated at start in a file of
#                     <data dir>/secrets/, named on the `ready` (or `reusing`) line.
#
# Environment: JAVA_HOME, KAFKA_HEAP_OPTS (default -Xmx512m -Xms256m), KAFKA_JVM_PERFORMANCE_OPTS
# (default -XX:TieredStopAtLevel=1), KAFKA_READY_TIMEOUT (seconds, default 60),
# KAFKA_STOP_TIMEOUT (seconds, default 30).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIBS="$HERE/target/libs"
STATE_DIR="$HERE/.cache"
STATE_FILE="$STATE_DIR/broker.pid"
HOST=127.0.0.1
PORT=9092
CONTROLLER_PORT=9093
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-60}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
# Sized for a 2-core CI runner that also runs Node and other services; plenty for test traffic.
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms256m}"
# C1 only: test traffic never needs C2's peak throughput, and skipping C2 roughly halves
# startup time when the CPUs are shared with a busy test run.
PERF_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--XX:TieredStopAtLevel=1}"
PROPS_TEMPLATE="$HERE/server.properties"
SECURE=""
SECURE_AGENCIES="${KAFKA_SECURE_AGENCIES:-police probation prison health housing voluntary}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# The pom is the single source of truth for the version, so bumping it there invalidates the cache.
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")"
KAFKA_JAR="$LIBS/kafka_2.13-$KAFKA_VERSION.jar"

say() { echo "kafka: $*"; }
die() {
  echo "kafka: $*" >&2
  exit 1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# A bound port alone does not prove a usable broker (it could even be another program), so send
# a Kafka ApiVersions v0 request and require the response to echo its correlation id. The broker
# only serves requests once it has caught up with its metadata log and been unfenced.
kafka_answers() {
  (
    export LC_ALL=C
    exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
    # size=10 | api_key=18 (ApiVersions) | api_version=0 | correlation_id="thrl" | client_id=""
    printf '\x00\x00\x00\x0a\x00\x12\x00\x00thrl\x00\x00' >&3
    # Response: int32 size, then the correlation id. Bash cannot hold NUL bytes, so read one byte
    # at a time (a NUL reads as empty) and compare only the printable id.
    local i byte header=""
    for i in 0 1 2 3 4 5 6 7; do
      IFS= read -r -n 1 -d '' -t 2 -u 3 byte || exit 1
      ((i < 4)) || header+="$byte"
    done
    [[ "$header" == thrl ]]
  ) 2>/dev/null
}

# ps rather than kill -0: an exited broker that nobody has reaped yet still accepts signals.
# The command-line check stops a recycled pid from being mistaken for (and killed as) the broker.
broker_alive() {
  local info
  info="$(ps -o stat= -o args= -p "$1" 2>/dev/null)" || return 1
  [[ "$info" != Z* && "$info" == *kafka.Kafka* ]]
}

read_state() {
  [[ -f "$STATE_FILE" ]] || return 1
  { IFS= read -r STATE_PID && IFS= read -r STATE_DIR_DATA; } <"$STATE_FILE" || return 1
}

# Refuses anything that is not a directory this script created, so a corrupt state file can
# never turn into an rm -rf of something else.
remove_data_dir() {
  case "$1" in
    */throughline-kafka.*) [[ -d "$1" ]] && rm -rf -- "$1" ;;
    *) [[ -z "$1" ]] || echo "kafka: not removing unexpected directory $1" >&2 ;;
  esac
  return 0
}

log_tail() {
  local f
  for f in "$1/console.log" "$1/broker.log"; do
    [[ -s "$f" ]] || continue
    echo "----- tail of $(basename "$f") -----" >&2
    tail -n 40 "$f" >&2
  done
}

fetch() {
  [[ -n "$KAFKA_VERSION" ]] || die "could not read <kafka.version> from pom.xml"
  if [[ -f "$KAFKA_JAR" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found; Maven is needed once to download the broker jars"
  say "downloading Kafka $KAFKA_VERSION jars from Maven Central (first run only)"
  # Copy into a scratch directory and rename at the end, so an interrupted download never
  # leaves a half-filled target/libs that the cache check above would accept.
  local staging="$LIBS.partial" mvn_log="$HERE/target/mvn.log"
  rm -rf -- "$staging"
  mkdir -p "$HERE/target"
  # Some Maven builds print colour escapes even with -q -B, so output is kept out of test logs
  # and only shown when it explains a failure.
  if ! mvn -q -B -f "$HERE/pom.xml" -Dkafka.libs.dir="$staging" generate-resources >"$mvn_log" 2>&1; then
    tail -n 40 "$mvn_log" >&2
    die "mvn failed to resolve the Kafka jars (full output in $mvn_log)"
  fi
  [[ -f "$staging/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is missing"
  rm -rf -- "$LIBS"
  mv -- "$staging" "$LIBS"
}

# Kafka's own tools, with the same quiet logging as the broker. They run for under a second,
# so the cheapest JIT and GC give the fastest start.
kafka_class() {
  local logs_dir="$1"
  shift
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dkafka.logs.dir="$logs_dir" -Dlog4j.configuration="file:$HERE/log4j.properties" \
    -cp "$LIBS/*" "$@"
}
kafka_tool() {
  local logs_dir="$1"
  shift
  kafka_class "$logs_dir" kafka.tools.StorageTool "$@"
}

# The secure broker's users and their passwords, one file each (the form a container secret has),
# made before the format that stores their SCRAM credentials in the metadata log.
make_secrets() {
  local dir="$1" user
  mkdir -m 0700 "$dir/secrets"
  for user in admin worker api $SECURE_AGENCIES; do
    [[ "$user" =~ ^[a-z0-9-]+$ ]] || die "user name '$user' must be lower-case letters, digits and -"
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$dir/secrets/$user")
  done
}

scram_args() {
  local dir="$1" user
  for user in admin worker api $SECURE_AGENCIES; do
    printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n' "$user" "$(cat "$dir/secrets/$user")"
  done
}

# The admin's client settings, for the ACL tool.
admin_properties() {
  local dir="$1"
  (umask 077 && cat >"$dir/admin.properties" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$(cat "$dir/secrets/admin")";
PROPS
  )
}

create_acls() {
  local dir="$1"
  # shellcheck disable=SC2086 # the agencies are a word list
  KAFKA_ACLS="$JAVA -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dkafka.logs.dir=$dir -Dlog4j.configuration=file:$HERE/log4j.properties -cp $LIBS/* kafka.admin.AclCommand" \
    KAFKA_ACLS_BOOTSTRAP="$HOST:$PORT" KAFKA_ACLS_CONFIG="$dir/admin.properties" \
    bash "$HERE/acls.sh" worker api $SECURE_AGENCIES >>"$dir/console.log" 2>&1
}

# Serialises concurrent starts (two test runs launched together), so the second waits and then
# reuses the first one's broker instead of racing it for the ports and the state file.
acquire_start_lock() {
  local lock="$STATE_DIR/start.lock" holder deadline=$((SECONDS + READY_TIMEOUT + 30))
  mkdir -p "$STATE_DIR"
  until mkdir "$lock" 2>/dev/null; do
    holder="$(cat "$lock/pid" 2>/dev/null || true)"
    if [[ -n "$holder" ]] && ! kill -0 "$holder" 2>/dev/null; then
      rm -rf -- "$lock"
      continue
    fi
    ((SECONDS < deadline)) || die "timed out waiting for another '$0 start' (lock $lock)"
    sleep 0.2
  done
  echo "$$" >"$lock/pid"
  # shellcheck disable=SC2064 # expand now: $lock is local
  trap "rm -rf -- '$lock'" EXIT
}

start() {
  acquire_start_lock
  if port_open "$PORT"; then
    kafka_answers || die "$HOST:$PORT is in use by something that does not answer as a Kafka broker"
    # broker.ts matches this line to know it must not stop a broker it did not start.
    if [[ -n "$SECURE" ]]; then
      read_state && [[ -d "$STATE_DIR_DATA/secrets" ]] ||
        die "a broker listens on $HOST:$PORT but was not started by '$0 start-secure': its credentials are unknown"
      say "reusing the broker already listening on $HOST:$PORT (credentials in $STATE_DIR_DATA/secrets)"
      return 0
    fi
    say "reusing the broker already listening on $HOST:$PORT"
    return 0
  fi
  fetch

  if read_state; then
    if broker_alive "$STATE_PID"; then
      die "broker pid $STATE_PID from an earlier start is running but not answering; run '$0 stop' first"
    fi
    remove_data_dir "$STATE_DIR_DATA"
    rm -f -- "$STATE_FILE"
  fi
  if port_open "$CONTROLLER_PORT"; then
    die "controller port $HOST:$CONTROLLER_PORT is already in use"
  fi

  local dir props cluster_id pid began
  began=$SECONDS
  dir="$(mktemp -d "${TMPDIR:-/tmp}/throughline-kafka.XXXXXX")"
  props="$dir/server.properties"
  sed "s|^log\.dirs=.*|log.dirs=$dir/data|" "$PROPS_TEMPLATE" >"$props"
  local format_args=()
  if [[ -n "$SECURE" ]]; then
    make_secrets "$dir"
    admin_properties "$dir"
    sed -i "s|@ADMIN_PASSWORD@|$(cat "$dir/secrets/admin")|" "$props"
    mapfile -t format_args < <(scram_args "$dir")
  fi

  cluster_id="$(kafka_tool "$dir" random-uuid 2>>"$dir/console.log")" ||
    { log_tail "$dir"; remove_data_dir "$dir"; die "could not generate a cluster id"; }
  # controller.quorum.voters makes this a static quorum, so a plain format is enough; the
  # --standalone flag is only for dynamic quorums (controller.quorum.bootstrap.servers).
  kafka_tool "$dir" format -t "$cluster_id" -c "$props" "${format_args[@]}" >>"$dir/console.log" 2>&1 ||
    { log_tail "$dir"; remove_data_dir "$dir"; die "could not format the storage directory"; }

  # stdin/stdout/stderr are detached from the caller: a parent such as Node's execFile waits for
  # its pipes to close, and would otherwise block until the broker exits.
  # shellcheck disable=SC2086 # the option strings are deliberately word-split into JVM flags
  "$JAVA" $HEAP_OPTS $PERF_OPTS -Djava.awt.headless=true \
    -Dkafka.logs.dir="$dir" -Dlog4j.configuration="file:$HERE/log4j.properties" \
    -cp "$LIBS/*" kafka.Kafka "$props" </dev/null >>"$dir/console.log" 2>&1 &
  pid=$!
  mkdir -p "$STATE_DIR"
  printf '%s\n%s\n' "$pid" "$dir" >"$STATE_FILE"

  local deadline=$((SECONDS + READY_TIMEOUT))
  until kafka_answers; do
    if ! broker_alive "$pid"; then
      log_tail "$dir"
      remove_data_dir "$dir"
      rm -f -- "$STATE_FILE"
      die "broker exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      log_tail "$dir"
      stop >/dev/null
      die "broker did not become ready on $HOST:$PORT within ${READY_TIMEOUT}s"
    fi
    sleep 0.2
  done
  if [[ -n "$SECURE" ]]; then
    create_acls "$dir" || {
      log_tail "$dir"
      stop >/dev/null
      die "could not create the ACLs"
    }
    say "broker ready on $HOST:$PORT (pid $pid, $((SECONDS - began))s, data in $dir, credentials in $dir/secrets)"
    return 0
  fi
  say "broker ready on $HOST:$PORT (pid $pid, $((SECONDS - began))s, data in $dir)"
}

# The broker of start-secure: its own ports, state and properties.
secure() {
  SECURE=1
  PORT=9192
  CONTROLLER_PORT=9193
  STATE_DIR="$HERE/.cache-secure"
  STATE_FILE="$STATE_DIR/broker.pid"
  PROPS_TEMPLATE="$HERE/server-secure.properties"
}

stop() {
  if ! read_state; then
    if port_open "$PORT"; then
      say "the broker on $HOST:$PORT was not started by this script; leaving it running"
    else
      say "no broker running"
    fi
    return 0
  fi

  if broker_alive "$STATE_PID"; then
    # SIGTERM lets the broker close its logs cleanly; SIGKILL is only the fallback for a hang.
    kill -TERM "$STATE_PID" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while broker_alive "$STATE_PID"; do
      if ((SECONDS >= deadline)); then
        echo "kafka: broker pid $STATE_PID ignored SIGTERM for ${STOP_TIMEOUT}s; killing it" >&2
        kill -KILL "$STATE_PID" 2>/dev/null || true
        sleep 0.5
        break
      fi
      sleep 0.1
    done
  fi
  remove_data_dir "$STATE_DIR_DATA"
  rm -f -- "$STATE_FILE"
  say "broker stopped"
}

status() {
  local owner="not started by this script"
  if read_state && broker_alive "$STATE_PID"; then
    owner="pid $STATE_PID, data in $STATE_DIR_DATA"
  fi
  if kafka_answers; then
    say "broker running on $HOST:$PORT ($owner)"
    return 0
  fi
  if [[ "$owner" == pid* ]]; then
    say "broker process is up but not answering yet ($owner)"
  elif port_open "$PORT"; then
    say "$HOST:$PORT is in use by something that does not answer as a Kafka broker"
  else
    say "no broker running"
  fi
  return 3
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  start-secure) secure && start ;;
  stop-secure) secure && stop ;;
  status-secure) secure && status ;;
  *)
    echo "usage: $0 fetch|start|stop|status|start-secure|stop-secure|status-secure" >&2
    exit 2
    ;;
esac
