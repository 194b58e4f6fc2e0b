#!/usr/bin/env bash
# Compiles the CUDA kernels in src/main/cuda/*.cu to PTX, the checked-in resources the GPU engine
# loads with cuModuleLoadData: NAME.ptx for compute_90 (Hopper) and NAME.compute_80.ptx (Ampere,
# also JIT-compiled by newer drivers). Each PTX starts with the SHA-256 of its source, the nvcc
# release and the target; PtxFreshnessTest fails when a source no longer matches its PTX.
# Usage: inference/build-ptx.sh [NVCC]   (default: nvcc on the PATH, else /usr/local/cuda/bin/nvcc)
# PTX_OUT=DIR writes elsewhere (the freshness test compiles into a temporary folder and compares).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/src/main/cuda"
out="${PTX_OUT:-$here/src/main/resources/dev/patchwright/inference/engine/cuda}"
nvcc="${1:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
[ -x "$nvcc" ] || { echo "build-ptx.sh: no nvcc at '$nvcc'; pass its path" >&2; exit 2; }
release="$("$nvcc" --version | grep -o 'release [0-9.]*, V[0-9.]*')"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for cu in "$src"/*.cu; do
  name="$(basename "$cu" .cu)"
  sum="$(sha256sum "$cu" | cut -d' ' -f1)"
  for target in compute_90 compute_80; do
    suffix=$([ "$target" = compute_90 ] && echo "" || echo ".$target")
    # compile from inside the source folder so that no absolute path reaches the PTX
    (cd "$src" && "$nvcc" -ptx -O3 -std=c++17 -arch="$target" "$name.cu" -o "$tmp/$name.ptx")
    {
      echo "// patchwright-source: $name.cu sha256=$sum"
      echo "// patchwright-nvcc: $release"
      echo "// patchwright-target: $target"
      cat "$tmp/$name.ptx"
    } > "$out/$name$suffix.ptx"
  done
  echo "$name.cu -> $name.ptx, $name.compute_80.ptx"
done
