#!/usr/bin/env bash
# Packs the JDK's own sources with repomix 1.18.1 (security check on, as ours) and with
# `./patchwright pack`, side by side in one run, and writes bench/RESULTS.md.
#
#   bench/pack-vs-repomix.sh            # both inputs: the whole JDK and its java.base subset
#   BENCH_DIR=/var/tmp/pwbench SRC_ZIP=/path/to/src.zip bench/pack-vs-repomix.sh
#
# Wall time and peak RSS come from GNU time (/usr/bin/time -f '%e %M'); token counts from each
# tool's own report (both o200k_base).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${BENCH_DIR:-/var/tmp/patchwright-bench}"
src_zip="${SRC_ZIP:-/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip}"
repomix="repomix@1.18.1"
results="$root/bench/RESULTS.md"
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

# measure LABEL CMD...: runs CMD, appends "wall_seconds peak_rss_kb" to $work/out/LABEL.time
measure() {
  local label="$1"; shift
  /usr/bin/time -f '%e %M' -o "$work/out/$label.time" "$@" > "$work/out/$label.stdout" 2> "$work/out/$label.stderr"
}

wall() { cut -d' ' -f1 "$work/out/$1.time"; }
rss_mb() { echo $(( $(cut -d' ' -f2 "$work/out/$1.time") / 1024 )); }

repomix_tokens() { # the "Total Tokens" line of repomix's summary
  grep -m1 -i 'Total Tokens' "$work/out/$1.stdout" | tr -dc '0-9'
}

ours_tokens() { # the total from --stats=json
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tokens"])' "$work/out/$1.stdout"
}

pw() { env PATCHWRIGHT_HOME="$work/home" "$root/patchwright" "$@"; }
# The same, as words /usr/bin/time can run (it cannot run a shell function); pw_jvm without the resident packer.
PW=(env PATCHWRIGHT_HOME="$work/home" "$root/patchwright")
PW_JVM=(env PATCHWRIGHT_PACK_SERVER=off PATCHWRIGHT_HOME="$work/home" "$root/patchwright")

# The resident packer's pid (from `pack-server status`), or nothing when none runs.
packer_pid() { pw pack-server status 2>/dev/null | sed -n 's/.*pid \([0-9]*\).*/\1/p'; }

# The resident packer's peak RSS in MiB so far (VmHWM): its packs run in it, not in the client /usr/bin/time sees.
packer_rss_mb() { echo $(( $(awk '/VmHWM/ {print $2}' "/proc/$1/status") / 1024 )); }

run_input() {
  local name="$1" dir="$work/$1"
  (cd "$dir" && measure "$name-repomix" npx --yes "$repomix" --style xml -o "$work/out/$name-repomix.xml" .)
  # Cold: no resident packer, no token counts, no earlier pack into the output file. The first
  # command starts the resident packer; the repeats below are served by it, as by the bot's worker.
  pw pack-server stop > /dev/null 2>&1 || true
  rm -rf "$work/home" "$work/out/$name-ours.xml" "$work/out/$name-fresh.xml"
  measure "$name-cold" "${PW[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  measure "$name-warm" "${PW[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  # The same repeat in a JVM of its own, as before the resident packer existed.
  measure "$name-warm-jvm" "${PW_JVM[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  # A few files changed, as between two jobs on the same repository; then changed back, in a JVM of its own.
  git -C "$dir" ls-files '*.java' | sed -n '1,5p' | while read -r f; do echo "// changed" >> "$dir/$f"; done
  git -C "$dir" commit -q -am "a few changes"
  measure "$name-changed" "${PW[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  git -C "$dir" reset -q --hard HEAD~1
  measure "$name-changed-jvm" "${PW_JVM[@]}" pack "$dir" --out "$work/out/$name-ours.xml" --stats=json
  # A first pack (no counts, no earlier output) while the packer already runs, warmed by the packs above.
  measure "$name-fresh" "${PW[@]}" pack "$dir" --out "$work/out/$name-fresh.xml" --cache-dir "$work/home/fresh-cache" \
      --stats=json
  local pid; pid="$(packer_pid)"
  echo "${pid:+$(packer_rss_mb "$pid")}" > "$work/out/$name-packer.rss"
  pw pack-server stop > /dev/null 2>&1 || true
}

row() { # input tool label tokens [rss_mb]
  local input="$1" tool="$2" label="$3" tokens="$4" rss="${5:-$(rss_mb "$3")}"
  local w; w=$(wall "$label")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$input" "$tool" "$w" "$rss" "$tokens" \
      "$(python3 -c "print(f'{$tokens/$w/1e6:.2f}')")"
}

ratio() { python3 -c "print(f'{$1/$2:.1f}')"; }

prepare
(cd "$root" && ./mvnw -B -q -DskipTests package)
# Once per build, the launcher makes its class-data archive: an install step, not part of a pack.
"$root/patchwright" --version > /dev/null
for input in java.base jdk; do run_input "$input"; done

{
  echo "# Packing benchmark: Patchwright vs repomix"
  echo
  echo "- date: $(date -u +%Y-%m-%d)"
  echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "- java: $(java -version 2>&1 | head -1); node: $(node --version); repomix: $repomix"
  echo "- command: \`bench/pack-vs-repomix.sh\` (input: \`$src_zip\` unpacked into a git repository)"
  echo
  echo "Rows marked (resident) are served by the resident packer that the cold row's command started;"
  echo "their peak RSS is that process's high-water mark over all of its packs of the input (VmHWM),"
  echo "measured after the last of them. Rows marked (own JVM) run with PATCHWRIGHT_PACK_SERVER=off."
  echo
  echo "| input | tool | wall s | peak RSS MiB | tokens | M tokens/s |"
  echo "|---|---|---|---|---|---|"
  for input in java.base jdk; do
    packer_rss="$(cat "$work/out/$input-packer.rss")"
    row "$input" "repomix 1.18.1" "$input-repomix" "$(repomix_tokens "$input-repomix")"
    row "$input" "patchwright, cold (first command, starts the packer)" "$input-cold" "$(ours_tokens "$input-cold")" "$packer_rss"
    row "$input" "patchwright, same commit again (resident)" "$input-warm" "$(ours_tokens "$input-warm")" "$packer_rss"
    row "$input" "patchwright, 5 files changed (resident)" "$input-changed" "$(ours_tokens "$input-changed")" "$packer_rss"
    row "$input" "patchwright, cold with the packer running (resident)" "$input-fresh" "$(ours_tokens "$input-fresh")" "$packer_rss"
    row "$input" "patchwright, same commit again (own JVM)" "$input-warm-jvm" "$(ours_tokens "$input-warm-jvm")"
    row "$input" "patchwright, 5 files changed (own JVM)" "$input-changed-jvm" "$(ours_tokens "$input-changed-jvm")"
  done
  echo
  echo "Ratios (repomix / patchwright):"
  echo
  for input in java.base jdk; do
    r="$(wall "$input-repomix")"
    echo "- $input: cold $(ratio "$r" "$(wall "$input-cold")")× faster," \
         "same commit $(ratio "$r" "$(wall "$input-warm")")×," \
         "5 files changed $(ratio "$r" "$(wall "$input-changed")")×," \
         "cold with the packer running $(ratio "$r" "$(wall "$input-fresh")")×;" \
         "in their own JVM: same commit $(ratio "$r" "$(wall "$input-warm-jvm")")×," \
         "5 files changed $(ratio "$r" "$(wall "$input-changed-jvm")")×;" \
         "peak memory $(ratio "$(rss_mb "$input-repomix")" "$(cat "$work/out/$input-packer.rss")")× smaller"
  done
} > "$results"
cat "$results"
