#!/usr/bin/env bash
# The intake benchmark: starts the built bot as a webhook node with its embedded PostgreSQL (fsync and
# synchronous_commit on, as shipped), posts signed deliveries for SECONDS_PER_RATE (default 60) at each rate in RATES
# (default "250 500 1000 1500"), and writes bench/INTAKE.md: machine, date, load, command and one row per rate.
# COMPARE_APP=<a quarkus-app folder built from another commit> (and COMPARE_LABEL) runs that one first, in the same
# run, for a before/after table.
# Build first: ./mvnw -q -DskipTests package.   Run: bench/intake.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${SECONDS_PER_RATE:-60}"
rates="${RATES:-250 500 1000 1500}"
app="${APP:-bot/target/quarkus-app}"
[ -f "$app/quarkus-run.jar" ] || { echo "intake.sh: build first: ./mvnw -q -DskipTests package" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# bench APP: one fresh webhook node from APP, every rate against it; prints the table.
bench() {
  local app="$1" home port management secret log bot db_port
  home="$(mktemp -d)"
  port="$(free_port)"; management="$(free_port)"
  secret="bench-$(openssl rand -hex 12)"
  openssl genrsa -out "$home/app.pem" 2048 2>/dev/null
  log="$home/bot.log"
  PATCHWRIGHT_HOME="$home" PATCHWRIGHT_ROLE=webhook QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT="$management" \
    QUARKUS_GITHUB_APP_APP_ID=12345 QUARKUS_GITHUB_APP_PRIVATE_KEY="$(cat "$home/app.pem")" \
    QUARKUS_GITHUB_APP_WEBHOOK_SECRET="$secret" java ${BOT_JAVA_OPTS--XX:TieredStopAtLevel=1} -jar "$app/quarkus-run.jar" >"$log" 2>&1 &
  bot=$!
  trap 'kill $bot 2>/dev/null; wait $bot 2>/dev/null || true' EXIT
  for _ in $(seq 1 180); do
    curl -fs "http://127.0.0.1:$management/q/health/ready" >/dev/null 2>&1 && break
    kill -0 $bot 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 1
  done
  db_port="$(sed -n 4p "$home/postgres/postmaster.pid")"
  java ${BENCH_JAVA_OPTS:-} -cp "$(ls "$app"/lib/main/org.postgresql.postgresql-*.jar)" bench/IntakeBench.java \
    "http://127.0.0.1:$port/webhook" "$secret" "jdbc:postgresql://localhost:$db_port/postgres" \
    "$(cat "$home/postgres.password")" "$seconds" $rates
  kill $bot; wait $bot 2>/dev/null || true
  trap - EXIT
  rm -rf "$home"
}

load_before="$(uptime)"
compare=""
if [ -n "${COMPARE_APP:-}" ]; then
  compare="$(bench "$COMPARE_APP")"
fi
table="$(bench "$app")"
load_after="$(uptime)"
{
  echo "# Intake benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD)"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%d GiB", $2/1048576}' /proc/meminfo)"
  echo "- load before: ${load_before#*load average: }; after: ${load_after#*load average: } (uptime's 1, 5 and 15 minute averages)"
  echo "- command: \`SECONDS_PER_RATE=$seconds RATES=\"$rates\"${COMPARE_APP:+ COMPARE_APP=... COMPARE_LABEL=\"${COMPARE_LABEL:-}\"} bench/intake.sh\` (one webhook node, embedded PostgreSQL with fsync and synchronous_commit on; each delivery is committed before its 202)"
  echo
  if [ -n "$compare" ]; then
    echo "Before: ${COMPARE_LABEL:-$COMPARE_APP}"
    echo
    echo "$compare"
    echo
    echo "After: this commit"
    echo
  fi
  echo "$table"
} > "${OUTPUT:-bench/INTAKE.md}"
cat "${OUTPUT:-bench/INTAKE.md}"
