#!/usr/bin/env bash
# Makes the Kafka passwords docker-compose.yml reads as secrets, one file per user under
# secrets/kafka/ beside docker-compose.yml, unless the file is there already (a password is set
# when the broker's data directory is first formatted: changing it later is a kafka-configs.sh
# --alter on the running broker as well as a new file). Run as root to give the files to uid 1000,
# the user of the application's and the broker's images, mode 0400.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
dir="$root/secrets/kafka"
mkdir -p -m 0700 "$dir"
for user in admin worker api police probation prison health housing voluntary; do
  file="$dir/$user"
  [[ -e "$file" ]] && continue
  (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 40 >"$file")
  chmod 0400 "$file"
  echo "made $file"
done
if [[ "$(id -u)" == 0 ]]; then
  chown -R 1000:1000 "$dir"
else
  echo "make-secrets: not root, so the files stay yours: give them to uid 1000 (chown -R 1000:1000 $dir) before 'docker compose up'" >&2
fi
