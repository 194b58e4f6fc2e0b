#!/usr/bin/env bash
# The backtest end to end on a real project's history, with a model that answers each case with its real fix
# (bench/backtest-oracle.py): every mined case should come out resolved, within the budget. Slow, so not in the
# test suite. Prints the numbers for bench/RESULTS-backtest.md; leaves results.json, the charts and the log in OUT.
#
#   bench/backtest-real.sh [GIT-REPOSITORY] [LIMIT]      (default: the six mirror, 5 cases)
#   OUT=/var/tmp/backtest-bench BUDGET=2 bench/backtest-real.sh /work/.mirror/benjaminp+six/repo 5
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source_repo="${1:-/work/.mirror/benjaminp+six/repo}"
limit="${2:-5}"
out="${OUT:-/var/tmp/patchwright-backtest-bench}"
budget="${BUDGET:-2}"

# The sandbox runs the system's python3 (its PATH is the default one): pytest must be the system's.
/usr/bin/python3 -c 'import pytest' 2>/dev/null || { echo "needs pytest for /usr/bin/python3: apt-get install python3-pytest" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
chmod 711 "$out"
git clone -q "$source_repo" "$out/repo"
mkdir -p "$out/work" && chmod 711 "$out/work"

python3 "$root/bench/backtest-oracle.py" --repo "$out/repo" --port-file "$out/oracle.port" 2> "$out/oracle.log" &
oracle=$!
trap 'kill "$oracle" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$out/oracle.port" ] && break; sleep 0.1; done
port="$(cat "$out/oracle.port")"

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GB"
  echo "repository: $source_repo at $(git -C "$out/repo" rev-parse --short HEAD), $(git -C "$out/repo" rev-list --count HEAD) commits"
  echo "load before: $(uptime)"
} | tee "$out/machine.txt"

started=$(date +%s)
"$root/patchwright" eval backtest --repo "$out/repo" --limit "$limit" --budget-per-issue 0.50 --budget "$budget" \
    --model-url "http://127.0.0.1:$port/v1" --model oracle --price input=1.00,output=4.00 \
    --home "$out/home" --work-dir "$out/work" --candidates 1 --rounds 1 --cases-at-once 1 --out "$out/results" \
    2>&1 | tee "$out/run.log"
echo "load after: $(uptime)" | tee -a "$out/machine.txt"
echo "wall: $(( $(date +%s) - started )) s" | tee -a "$out/machine.txt"
python3 - "$out/results/results.json" <<'PY'
import json, statistics, sys
cases = json.load(open(sys.argv[1]))
secs = [c["seconds"] for c in cases]
print(f"cases replayed: {len(cases)}, resolved: {sum(c['outcome'] == 'resolved' for c in cases)}")
print(f"time per case: median {statistics.median(secs)} s, min {min(secs)} s, max {max(secs)} s")
print(f"spent: ${sum(c['costMicros'] for c in cases) / 1e6:.6f}")
for c in cases:
    print(f"  {c['commit'][:10]} {c['outcome']:10} {c['seconds']:4d} s {c['cost']:>10}  {c['title']}")
PY
