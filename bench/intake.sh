#!/usr/bin/env bash
# The intake benchmark: starts the built bot as a webhook node with its embedded PostgreSQL (fsync and
# synchronous_commit on, as shipped), posts signed deliveries for SECONDS_PER_RATE (default 60) at each rate in RATES
# (default "250 500 1000 1500"), and writes bench/INTAKE.md: machine, date, load, command and one row per rate.
# EVENTS (default "opened labeled"): issues.opened, which no handler reads (stored as ignored at once), and
# issues.labeled without an installation, which the node claims, dispatches and finishes: one fresh node each.
# COMPARE_APP=<a quarkus-app folder built from another commit> (and COMPARE_LABEL, COMPARE_JAVA_OPTS) runs that one
# first with issues.opened, in the same run, for a before/after table. BOT_JAVA_OPTS: the node's JVM options (default
# as `./patchwright serve --role webhook`); BENCH_JAVA_OPTS: the client's (default its first JIT tier only: it shares
# the cores with the node, and warms itself for 5 s against a throwaway loopback server before the first rate).
# Build first: ./mvnw -q -DskipTests package.   Run: bench/intake.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${SECONDS_PER_RATE:-60}"
rates="${RATES:-250 500 1000 1500}"
app="${APP:-bot/target/quarkus-app}"
[ -f "$app/quarkus-run.jar" ] || { echo "intake.sh: build first: ./mvnw -q -DskipTests package" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# bench APP JVM_OPTIONS EVENT: one fresh webhook node from APP, every rate against it; prints the table.
bench() {
  local app="$1" jvm_options="$2" event="$3" home port management secret log bot db_port
  home="$(mktemp -d)"
  port="$(free_port)"; management="$(free_port)"
  secret="bench-$(openssl rand -hex 12)"
  openssl genrsa -out "$home/app.pem" 2048 2>/dev/null
  log="$home/bot.log"
  PATCHWRIGHT_HOME="$home" PATCHWRIGHT_ROLE=webhook QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT="$management" \
    QUARKUS_GITHUB_APP_APP_ID=12345 QUARKUS_GITHUB_APP_PRIVATE_KEY="$(cat "$home/app.pem")" \
    QUARKUS_GITHUB_APP_WEBHOOK_SECRET="$secret" java $jvm_options -jar "$app/quarkus-run.jar" >"$log" 2>&1 &
  bot=$!
  trap 'kill $bot 2>/dev/null; wait $bot 2>/dev/null || true' EXIT
  for _ in $(seq 1 180); do
    curl -fs "http://127.0.0.1:$management/q/health/ready" >/dev/null 2>&1 && break
    kill -0 $bot 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 1
  done
  db_port="$(sed -n 4p "$home/postgres/postmaster.pid")"
  java ${BENCH_JAVA_OPTS--XX:TieredStopAtLevel=1} -Devent="$event" -cp "$(ls "$app"/lib/main/org.postgresql.postgresql-*.jar)" bench/IntakeBench.java \
    "http://127.0.0.1:$port/webhook" "$secret" "jdbc:postgresql://localhost:$db_port/postgres" \
    "$(cat "$home/postgres.password")" "$seconds" $rates
  kill $bot; wait $bot 2>/dev/null || true
  trap - EXIT
  rm -rf "$home"
}

load_before="$(uptime)"
compare=""
if [ -n "${COMPARE_APP:-}" ]; then
  compare="$(bench "$COMPARE_APP" "${COMPARE_JAVA_OPTS:-}" opened)"
fi
tables=""
for event in ${EVENTS:-opened labeled}; do
  case "$event" in
    opened) what="issues.opened (no handler reads it: stored as ignored in the intake's insert)" ;;
    labeled) what="issues.labeled without an installation (claimed, dispatched and finished by the node)" ;;
    *) echo "intake.sh: EVENTS takes opened and labeled, not $event" >&2; exit 2 ;;
  esac
  # As `./patchwright serve --role webhook` runs it.
  tables="$tables"$'\n'"This commit, $what:"$'\n\n'"$(bench "$app" "${BOT_JAVA_OPTS--XX:TieredStopAtLevel=1}" "$event")"$'\n'
done
load_after="$(uptime)"
{
  echo "# Intake benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git rev-parse --short HEAD)"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%d GiB", $2/1048576}' /proc/meminfo)"
  echo "- load before: ${load_before#*load average: }; after: ${load_after#*load average: } (uptime's 1, 5 and 15 minute averages)"
  echo "- command: \`SECONDS_PER_RATE=$seconds RATES=\"$rates\" EVENTS=\"${EVENTS:-opened labeled}\"${COMPARE_APP:+ COMPARE_APP=... COMPARE_LABEL=\"${COMPARE_LABEL:-}\" COMPARE_JAVA_OPTS=\"${COMPARE_JAVA_OPTS:-}\"} bench/intake.sh\` (one fresh webhook node per table, embedded PostgreSQL with fsync and synchronous_commit on; each delivery is committed before its 202; node JVM options: \`${BOT_JAVA_OPTS--XX:TieredStopAtLevel=1}\`; client: \`${BENCH_JAVA_OPTS--XX:TieredStopAtLevel=1}\`, 256 kept-alive connections opened as the first rate starts)"
  echo
  if [ -n "$compare" ]; then
    echo "Before: ${COMPARE_LABEL:-$COMPARE_APP}, issues.opened:"
    echo
    echo "$compare"
  fi
  echo "$tables"
} > "${OUTPUT:-bench/INTAKE.md}"
cat "${OUTPUT:-bench/INTAKE.md}"
