#!/usr/bin/env bash
# Cross-compiles native/ for aarch64 and runs its tests under qemu-aarch64 with
# several CPU models, so the detection and the fallbacks are checked on every
# kind of Arm core without one. Emulated timings mean nothing; results must be right.
#
# Needs aarch64-linux-gnu-g++ and qemu-aarch64 (apt-get install g++-aarch64-linux-gnu
# qemu-user). Without them the lane is skipped (exit 0) unless ARMBENCH_REQUIRE_AARCH64=1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || missing+=(aarch64-linux-gnu-g++)
command -v qemu-aarch64 >/dev/null 2>&1 || missing+=(qemu-aarch64)
if ((${#missing[@]} > 0)); then
  echo "aarch64 lane skipped: ${missing[*]} not found (install with: apt-get install g++-aarch64-linux-gnu qemu-user)"
  if [[ "${ARMBENCH_REQUIRE_AARCH64:-0}" == "1" ]]; then
    exit 1
  fi
  exit 0
fi

build=build/aarch64
cmake -S native -B "$build" \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/native/cmake/aarch64-linux-gnu.cmake" \
  -DARMBENCH_BUILD_ADDON=OFF >/dev/null
cmake --build "$build" -j2

export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu
export ARMBENCH_EMULATED=1

# lane CPU EXPECT_FEATURES EXPECT_ABSENT EXPECT_MIDR_PART
lane() {
  echo "=== aarch64 lane: qemu-aarch64 -cpu $1 (expect: ${2:-none}; absent: ${3:-none}) ==="
  # What this model was detected as, for the log (ctest shows output only on failure).
  QEMU_CPU="$1" qemu-aarch64 "$build/test/test_cpu_features" 2>/dev/null |
    grep -E '^(features|sve vector bytes|cpu|probes):' || true
  QEMU_CPU="$1" ARMBENCH_EXPECT_FEATURES="$2" ARMBENCH_EXPECT_ABSENT="$3" \
    ARMBENCH_EXPECT_MIDR_PART="$4" ctest --test-dir "$build" --output-on-failure
}

# Every feature qemu 7.2 emulates (no ebf16 there).
lane max "asimd,fphp,asimdhp,asimddp,asimdfhm,bf16,i8mm,sve,sve2,svebf16,svei8mm,svef32mm,sme" "" ""
# Armv8.2 with dot product: every BF16/I8MM/SVE kernel must fall back.
lane neoverse-n1 "asimd,asimddp,asimdhp" "bf16,i8mm,sve,sve2,sme" "0xd0c"
# SVE without BF16, with FCMA (HWCAP bit 14): catches reading bf16 from the wrong
# hwcap word, the mistake that would misdetect a Kunpeng 920.
lane a64fx "asimd,asimdhp,sve" "asimddp,bf16,i8mm,sve2,svebf16,sme" "0x001"
