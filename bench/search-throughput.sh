#!/usr/bin/env bash
# The search loop's throughput (issue 12): candidates verified per minute on a no-op, a shell and a Maven
# project, with one sandbox and with two at once. Needs bwrap and network for the Maven project's setup.
# Usage: bench/search-throughput.sh   (prints a Markdown table; copy it into bench/RESULTS-search.md)
set -euo pipefail
cd "$(dirname "$0")/.."
cp="$(mktemp)"
./mvnw -B -q -pl worker -am test-compile dependency:build-classpath -Dmdep.outputFile="$cp" -Dmdep.includeScope=test >&2
echo "machine: $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "worker/target/test-classes:worker/target/classes:$(cat "$cp")" dev.patchwright.worker.bench.SearchThroughput
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -f "$cp"
