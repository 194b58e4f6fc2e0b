#!/usr/bin/env bash
# Packs the JDK's own sources with repomix 1.18.1 (security check on, as ours) and with
# `./patchwright pack`, side by side in one run, and writes bench/RESULTS.md.
#
#   bench/pack-vs-repomix.sh            # both inputs: the whole JDK and its java.base subset
#   BENCH_ROUNDS=5 BENCH_DIR=/var/tmp/pwbench SRC_ZIP=/path/to/src.zip bench/pack-vs-repomix.sh
#
# Wall time and peak RSS come from GNU time (/usr/bin/time -f '%e %M'); token counts from each
# tool's own report (both o200k_base). The machines here are shared and their speed drifts by up to
# 2x within minutes, so every measurement is taken in BENCH_ROUNDS rounds (default 3), each round
# running everything once, one tool right after the other; the table gives each row's median and
# range, and the ratios are medians of the per-round ratios.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BENCH_DIR:-/var/tmp/patchwright-bench}"
src_zip="${SRC_ZIP:-/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip}"
repomix="repomix@1.18.1"
results="$root/bench/RESULTS.md"
rounds="${BENCH_ROUNDS:-3}"
mkdir -p "$work/out"

export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid

repo_of() { # dir: a git repository holding the files, committed once
  local dir="$1"
  git -C "$dir" init -q
  git -C "$dir" add -A
  git -C "$dir" commit -q -m "sources"
}

prepare() {
  if [ ! -d "$work/jdk/.git" ]; then
    rm -rf "$work/jdk" && mkdir -p "$work/jdk"
    unzip -q "$src_zip" -d "$work/jdk"
    repo_of "$work/jdk"
  fi
  if [ ! -d "$work/java.base/.git" ]; then
    rm -rf "$work/java.base" && cp -r "$work/jdk/java.base" "$work/java.base"
    repo_of "$work/java.base"
  fi
}

# measure LABEL CMD...: runs CMD, writes "wall_seconds peak_rss_kb" to $work/out/LABEL.time
measure() {
  local label="$1"; shift
  /usr/bin/time -f '%e %M' -o "$work/out/$label.time" "$@" > "$work/out/$label.stdout" 2> "$work/out/$label.stderr"
}

PW=(env PATCHWRIGHT_HOME="$work/home" "$root/patchwright")
# Without the resident packer: each command a JVM of its own, as before it existed.
PW_JVM=(env PATCHWRIGHT_PACK_SERVER=off PATCHWRIGHT_HOME="$work/home" "$root/patchwright")

# The resident packer's pid (from `pack-server status`), or nothing when none runs.
packer_pid() { "${PW[@]}" pack-server status 2>/dev/null | sed -n 's/.*pid \([0-9]*\).*/\1/p'; }

# run_input NAME ROUND: one round of every measurement of one input; labels end in .rROUND
run_input() {
  local name="$1" r=".r$2" dir="$work/$1"
  (cd "$dir" && measure "$name-repomix$r" npx --yes "$repomix" --style xml -o "$work/out/$name-repomix.xml" .)
  # Cold: no resident packer, no token counts, no earlier pack into the output file. The first
  # command starts the resident packer; the repeats below are served by it, as by the bot's worker.
  "${PW[@]}" pack-server stop > /dev/null 2>&1 || true
  rm -rf "$work/home" "$work/out/$name-ours.xml" "$work/out/$name-fresh.xml"
  measure "$name-cold$r" "${PW[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  measure "$name-warm$r" "${PW[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  measure "$name-warm-jvm$r" "${PW_JVM[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  # A few files changed, as between two jobs on the same repository; then changed back, in a JVM of its own.
  git -C "$dir" ls-files '*.java' | sed -n '1,5p' | while read -r f; do echo "// changed" >> "$dir/$f"; done
  git -C "$dir" commit -q -am "a few changes"
  measure "$name-changed$r" "${PW[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  git -C "$dir" reset -q --hard HEAD~1
  measure "$name-changed-jvm$r" "${PW_JVM[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  # A first pack (no counts, no earlier output) while the packer already runs, warmed by the packs above.
  measure "$name-fresh$r" "${PW[@]}" pack "$dir" --out "$work/out/$name-fresh.xml" --cache-dir "$work/home/fresh-cache" \
      --stats=json
  # Its peak RSS (VmHWM) over this round's packs so far, the ones that do repomix's work: they ran in
  # it, not in the client /usr/bin/time saw.
  local pid; pid="$(packer_pid)"
  [ -z "$pid" ] || awk '/VmHWM/ {print $2}' "/proc/$pid/status" > "$work/out/$name-packer$r.rss"
  # What the bot's worker does for a job: a pack cut to the model's window around the task, here
  # 200,000 tokens. The first is the packer's first windowed pack of the input (token counts known
  # from the packs above, the window's code paths not yet run); then the same job again.
  measure "$name-window$r" "${PW[@]}" pack "$dir" --out "$work/out/$name-window.xml" --max-tokens 200000 \
      --task-file "$work/task.txt" --stats=json
  measure "$name-window-again$r" "${PW[@]}" pack "$dir" --out "$work/out/$name-window.xml" --max-tokens 200000 \
      --task-file "$work/task.txt" --stats=json
  # And with the windowed packs too.
  pid="$(packer_pid)"
  [ -z "$pid" ] || awk '/VmHWM/ {print $2}' "/proc/$pid/status" > "$work/out/$name-packer-window$r.rss"
  "${PW[@]}" pack-server stop > /dev/null 2>&1 || true
}

prepare
echo "Fix the NullPointerException in java.util.HashMap.computeIfAbsent when the mapping function returns null" \
  > "$work/task.txt"
(cd "$root" && ./mvnw -B -q -DskipTests package)
# Once per build, the launcher makes its class-data archives: an install step, not part of a pack.
"$root/patchwright" --version > /dev/null
"${PW[@]}" pack-server status > /dev/null 2>&1 || true
rm -f "$work"/out/*.time "$work"/out/*.rss
# CPU steal (time the host ran something else on this virtual machine's CPUs) over the run, from
# /proc/stat: the machines here are shared, and a run with much of it is slower for both tools.
cpu_times() { awk '/^cpu / {print $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
before="$(cpu_times)"
for round in $(seq 1 "$rounds"); do
  for input in java.base jdk; do run_input "$input" "$round"; done
done
steal="$(echo "$before $(cpu_times)" | awk '{printf "%.1f", 100 * ($3 - $1) / ($4 - $2)}')"

{
  echo "# Packing benchmark: Patchwright vs repomix"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "- java: $(java -version 2>&1 | head -1); node: $(node --version); repomix: $repomix"
  echo "- command: \`bench/pack-vs-repomix.sh\` with BENCH_ROUNDS=$rounds (input: \`$src_zip\` unpacked into a git repository)"
  echo "- CPU steal during the run (the host giving this machine's CPUs to others, from /proc/stat): $steal% of CPU time"
  echo "- commit: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . ':!bench/RESULTS.md' || echo ' with changes not yet committed')"
  echo
  python3 - "$work/out" "$rounds" <<'PY'
import json, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def times(label):
    walls, rss = [], []
    for r in range(1, rounds + 1):
        w, k = open(f"{out}/{label}.r{r}.time").read().split()[:2]
        walls.append(float(w)); rss.append(int(k) // 1024)
    return walls, rss
def packer_rss(name, which="packer"):
    return [int(open(f"{out}/{name}-{which}.r{r}.rss").read()) // 1024 for r in range(1, rounds + 1)]
def tokens(label, ours):
    text = open(f"{out}/{label}.r{rounds}.stdout").read()
    if ours:
        return json.loads(text)["tokens"]
    return int(re.sub(r"[^0-9]", "", re.search(r"Total Tokens.*", text, re.I).group(0)))
rows = [("repomix 1.18.1", "repomix", False),
        ("patchwright, cold (first command, starts the packer)", "cold", True),
        ("patchwright, same commit again (resident)", "warm", True),
        ("patchwright, 5 files changed (resident)", "changed", True),
        ("patchwright, cold with the packer running (resident)", "fresh", True),
        ("patchwright, same commit again (own JVM)", "warm-jvm", False),
        ("patchwright, 5 files changed (own JVM)", "changed-jvm", False),
        ("patchwright, cut to a 200,000-token window around a task, first (resident)", "window", True),
        ("patchwright, the same windowed pack again (resident)", "window-again", True)]
print("Rows marked (resident) are served by the resident packer that the cold row's command started;")
print("their peak RSS is that process's high-water mark over a round's packs of the input (VmHWM), read")
print("after the last unwindowed one (for the windowed rows, after those too). Rows marked (own JVM) run")
print("with PATCHWRIGHT_PACK_SERVER=off. Wall time: the median of the rounds, then the fastest and slowest;")
print("peak RSS: the largest of the rounds.")
print("The windowed rows are what the bot's worker packs for a job (its tokens are the window's, so they")
print("have no repomix counterpart and no ratio); the task is in bench/pack-vs-repomix.sh.")
print()
print("| input | tool | wall s, median | range | peak RSS MiB | tokens | M tokens/s |")
print("|---|---|---|---|---|---|---|")
ratios = {}
for name in ("java.base", "jdk"):
    base, base_rss = times(f"{name}-repomix")
    for title, key, resident in rows:
        walls, rss = times(f"{name}-{key}")
        peak = max(packer_rss(name, "packer-window" if key.startswith("window") else "packer")) if resident else max(rss)
        n = tokens(f"{name}-{key}", key != "repomix")
        med = statistics.median(walls)
        print(f"| {name} | {title} | {med:.2f} | {min(walls):.2f}–{max(walls):.2f} | {peak} | {n} | {n / med / 1e6:.2f} |")
        if key != "repomix":
            ratios[(name, key)] = statistics.median(b / w for b, w in zip(base, walls))
    ratios[(name, "memory")] = max(base_rss) / max(packer_rss(name))
print()
print("Ratios (repomix / patchwright), the median of the rounds' ratios:")
print()
for name in ("java.base", "jdk"):
    r = lambda k: f"{ratios[(name, k)]:.1f}×"
    print(f"- {name}: cold {r('cold')} faster, same commit {r('warm')}, 5 files changed {r('changed')}, "
          f"cold with the packer running {r('fresh')}; in their own JVM: same commit {r('warm-jvm')}, "
          f"5 files changed {r('changed-jvm')}; peak memory {r('memory')} smaller")
PY
} > "$results"
cat "$results"
