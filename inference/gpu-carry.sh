#!/usr/bin/env bash
# Builds, here, what inference/gpu-check.sh needs on a device machine that may have no Java and
# no Maven: a minimal Java 17 runtime (jlink: the modules the engine, model-server and the test launcher use,
# jdk.incubator.vector included, debug stripped, compressed), the dependency jars, and the
# compiled classes (the PTX rides in them), in inference/target/gpu-carry (ignored by git).
# The device tool carries at most 64 MiB a call; this checks the folder stays under 60 MiB.
# Usage (repository root): inference/gpu-carry.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=inference/target/gpu-carry
./mvnw -o -q -pl inference test-compile
./mvnw -o -q -pl inference dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/gpu-carry.classpath
rm -rf "$out"
mkdir -p "$out/lib"
tr ':' '\n' < inference/target/gpu-carry.classpath | while read -r jar; do
  case "$(basename "$jar")" in
    byte-buddy-*|jtokkit-*) ;;  # AssertJ's optional proxies, tokenizers: not used by the GPU checks
    jcuda-natives-*)  # only the driver binding (libcuda.so.1 is all it needs), not the 24 MB PTX compiler
      rm -rf "$out/natives" && mkdir -p "$out/natives"
      (cd "$out/natives" && unzip -q "$jar" 'lib/libJCudaDriver-*' 'lib/libJCudaRuntime-*' 'META-INF/MANIFEST.MF' \
        && zip -q -r "../lib/$(basename "$jar")" lib META-INF)
      rm -rf "$out/natives" ;;
    *) cp "$jar" "$out/lib/" ;;
  esac
done
cp -r inference/target/classes "$out/classes"
cp -r inference/target/test-classes "$out/test-classes"
jlink --add-modules java.base,java.logging,java.management,java.net.http,java.xml,jdk.httpserver,jdk.unsupported,jdk.incubator.vector,jdk.zipfs \
  --strip-debug --strip-native-debug-symbols exclude-debuginfo-files --no-header-files --no-man-pages --compress=2 --output "$out/jre"
size=$(du -sm "$out" | cut -f1)
echo "gpu-carry: $out is ${size} MiB (runtime $(du -sm "$out/jre" | cut -f1), jars $(du -sm "$out/lib" | cut -f1))"
if [ "$size" -ge 60 ]; then
  echo "gpu-carry: over 60 MiB; the device tool carries at most 64 MiB with the working tree" >&2
  exit 1
fi
