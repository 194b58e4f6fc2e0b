#!/usr/bin/env bash
# Everything the GPU engine must show, in one device call (see inference/GPU.md for the call):
# the differential tests, then transformers' reference and torch's rates, then GpuCheck's table.
# The table also lands in $OUT/table.md. Needs inference/target/gpu-carry (inference/gpu-carry.sh builds it here) unless the machine has
# Java 17+ and the folder's jars anyway. Writes logs to $OUT (the device tool brings them back).
# GPU_CHECK_CONTEXT=N shortens the long-prompt measures (default 32768 tokens).
# The steps' time limits (170 + 120 + 240 s) add up to 530 s, under the call's timeout_s=540; a step
# stopped by its limit leaves its rows so far (GpuCheck prints its table when stopped).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-/tmp/gpu-check}"
mkdir -p "$out"
carry=inference/target/gpu-carry
if [ ! -d "$carry/classes" ]; then
  echo "gpu-check: $carry is missing: run inference/gpu-carry.sh on the build machine and carry that folder" >&2
  exit 2
fi
java=java
if ! command -v java >/dev/null 2>&1 || ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
  java="$carry/jre/bin/java"
fi
echo "java: $java: $("$java" -version 2>&1 | head -1)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv 2>&1 | tee "$out/nvidia-smi.csv"
classpath="$carry/classes:$carry/test-classes:$carry/lib/*"
run() {
  local limit=$1
  shift
  timeout "$limit" "$java" --add-modules jdk.incubator.vector -Xmx16g -cp "$classpath" "$@"
}

echo "== 1/3 differential tests (kernels against their Java twins, model logits against the CPU engine, prefix reuse, CUDA graphs)"
run 170 dev.patchwright.inference.engine.cuda.GpuTestRunner 2>&1 | tee "$out/tests.log"
tests=${PIPESTATUS[0]}

echo "== 2/3 Hugging Face transformers reference (tiny Qwen2ForCausalLM) and torch's bf16 matmul rate"
PYTHONUNBUFFERED=1 timeout 120 python3 inference/src/test/python/qwen2_reference.py /tmp/qwen2-reference 2>&1 | tee "$out/torch.log"
tflops=$(grep -o 'torch-matmul-tflops [0-9.]*' "$out/torch.log" | cut -d' ' -f2)
qwen2=()
[ -f /tmp/qwen2-reference/reference.json ] && qwen2=(--qwen2 /tmp/qwen2-reference)

echo "== 3/3 measurements"
run 240 dev.patchwright.inference.engine.cuda.GpuCheck --matmul-tflops "${tflops:-NaN}" "${qwen2[@]}" \
  --context "${GPU_CHECK_CONTEXT:-32768}" 2>&1 | tee "$out/gpu-check.log"
check=${PIPESTATUS[0]}
grep '^|' "$out/gpu-check.log" > "$out/table.md"
grep -h 'torch-' "$out/torch.log"
echo "gpu-check: differential tests exit $tests, measurements exit $check (logs in $out)"
[ "$tests" -eq 0 ] && [ "$check" -eq 0 ]
