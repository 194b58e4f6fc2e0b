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

run_input() {
  local name="$1" dir="$work/$1"
  (cd "$dir" && measure "$name-repomix" npx --yes "$repomix" --style xml -o "$work/out/$name-repomix.xml" .)
  # Cold: no token counts, no earlier pack into the output file.
  rm -rf "$work/home" "$work/out/$name-ours.xml"
  measure "$name-cold" env PATCHWRIGHT_HOME="$work/home" "$root/patchwright" pack "$dir" \
      --out "$work/out/$name-ours.xml" --stats=json
  measure "$name-warm" env PATCHWRIGHT_HOME="$work/home" "$root/patchwright" pack "$dir" \
      --out "$work/out/$name-ours.xml" --stats=json
  # A few files changed, as between two jobs on the same repository.
  git -C "$dir" ls-files '*.java' | sed -n '1,5p' | while read -r f; do echo "// changed" >> "$dir/$f"; done
  git -C "$dir" commit -q -am "a few changes"
  measure "$name-changed" env PATCHWRIGHT_HOME="$work/home" "$root/patchwright" pack "$dir" \
      --out "$work/out/$name-ours.xml" --stats=json
  git -C "$dir" reset -q --hard HEAD~1
}

row() { # input tool label tokens
  local input="$1" tool="$2" label="$3" tokens="$4"
  local w; w=$(wall "$label")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$input" "$tool" "$w" "$(rss_mb "$label")" "$tokens" \
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
  echo "| input | tool | wall s | peak RSS MiB | tokens | M tokens/s |"
  echo "|---|---|---|---|---|---|"
  for input in java.base jdk; do
    row "$input" "repomix 1.18.1" "$input-repomix" "$(repomix_tokens "$input-repomix")"
    row "$input" "patchwright, cold" "$input-cold" "$(ours_tokens "$input-cold")"
    row "$input" "patchwright, same commit again" "$input-warm" "$(ours_tokens "$input-warm")"
    row "$input" "patchwright, 5 files changed" "$input-changed" "$(ours_tokens "$input-changed")"
  done
  echo
  echo "Ratios (repomix / patchwright):"
  echo
  for input in java.base jdk; do
    echo "- $input: cold $(ratio "$(wall "$input-repomix")" "$(wall "$input-cold")")× faster," \
         "same commit $(ratio "$(wall "$input-repomix")" "$(wall "$input-warm")")×," \
         "5 files changed $(ratio "$(wall "$input-repomix")" "$(wall "$input-changed")")×;" \
         "peak memory $(ratio "$(rss_mb "$input-repomix")" "$(rss_mb "$input-cold")")× smaller"
  done
} > "$results"
cat "$results"
