#!/usr/bin/env bash
# One-command GPU check of jgpt's TornadoVM backend, for a machine with an NVIDIA GPU (driver only:
# no JDK, no Maven, no TornadoVM installed). It unpacks a kit carried with the working tree, runs
# the backend's tests and the CPU/GPU parity test from prebuilt classes, then times a training step
# on the tornado and cpu backends and prints one table.
#
# Usage: scripts/gpu-check.sh [--kit FILE | --kit-dir DIR] [--device-kind nvidia|any]
#                             [--device N] [--steps N] [--skip-tests] [--skip-bench]
#   --kit FILE       the kit archive (default scripts/gpu-kit/jgpt-gpu-kit.tar.xz, or .tar.zst /
#                    .tar.gz beside it; env JGPT_GPU_KIT)
#   --kit-dir DIR    an already unpacked kit (for trying the flow on another device, e.g. PoCL)
#   --device-kind    nvidia (default): stop unless TornadoVM's device N is an NVIDIA GPU;
#                    any: run on whatever device N is (PoCL included)
#   --steps N        timed training steps per row (default 10, after 3 warm-up)
#   --shapes N       time only the first N of the three shapes (a short try on a slow device)
#   --tests REGEX    run only the test classes whose simple name matches REGEX (default: all below)
# Exit status: 0 when every test passed and every timing ran, 1 otherwise, 2 for bad usage.
#
# The kit (kept out of git: scripts/gpu-kit/ ignores everything but its README; it must stay under
# 64 MiB, the most a working tree may carry to the GPU machine) is one tar archive holding:
#   jdk/        a jlinked JDK 25 runtime with the modules jgpt and TornadoVM need
#               (java.base, java.logging, java.management, java.desktop, jdk.incubator.vector,
#               jdk.internal.vm.ci, jdk.unsupported, jdk.management, java.sql, ...)
#   tornadovm/  a TornadoVM 5.2.0-jdk25 SDK built with its PTX (or OpenCL) backend, with
#               tornado-argfile.template (share/java/tornado, share/java/graalJars, lib/, etc/)
#   jgpt.jar    cli/target/jgpt.jar built with TORNADOVM_HOME set (the backend compiled in)
#   tests/      test classes: kernels/target/test-classes and transformer/target/test-classes
#               (built with TORNADOVM_HOME set, so the src/tornado-test classes are in them)
#   junit-platform-console-standalone.jar  (the JUnit version jgpt's pom uses)
# It is built on a development machine by a script kept outside the repository (nothing of
# TornadoVM is committed): build TornadoVM from source for the PTX backend, `mvn -DskipTests
# package` and `mvn test-compile` with TORNADOVM_HOME set, jlink the JDK modules above, copy the
# five parts into one folder and `tar -cJf` it (xz keeps it small; zstd works where installed).
# UNTESTED ON A GPU so far: the flow was run with --device-kind any on PoCL (a CPU OpenCL device).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIT="${JGPT_GPU_KIT:-}"
KIT_DIR=""
DEVICE_KIND=nvidia
DEVICE=0
STEPS=10
RUN_TESTS=1
RUN_BENCH=1
SHAPE_COUNT=3
TEST_FILTER=""

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
fail_usage() { echo "gpu-check: $1; see scripts/gpu-check.sh --help" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --kit) KIT="${2:?}"; shift 2 ;;
    --kit-dir) KIT_DIR="${2:?}"; shift 2 ;;
    --device-kind) DEVICE_KIND="${2:?}"; shift 2 ;;
    --device) DEVICE="${2:?}"; shift 2 ;;
    --steps) STEPS="${2:?}"; shift 2 ;;
    --shapes) SHAPE_COUNT="${2:?}"; shift 2 ;;
    --tests) TEST_FILTER="${2:?}"; shift 2 ;;
    --skip-tests) RUN_TESTS=0; shift ;;
    --skip-bench) RUN_BENCH=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) fail_usage "unknown option $1" ;;
  esac
done
[[ "$DEVICE_KIND" == nvidia || "$DEVICE_KIND" == any ]] || fail_usage "--device-kind $DEVICE_KIND is not nvidia or any"
[[ "$DEVICE" =~ ^[0-9]+$ ]] || fail_usage "--device $DEVICE is not a device number"
[[ "$STEPS" =~ ^[1-9][0-9]*$ ]] || fail_usage "--steps $STEPS is not a positive number"
[[ "$SHAPE_COUNT" =~ ^[0-3]$ ]] || fail_usage "--shapes $SHAPE_COUNT is not 0..3"

# ---- the kit: unpack the archive once (next to it, in a folder named after its checksum) ----
if [[ -z "$KIT_DIR" ]]; then
  if [[ -z "$KIT" ]]; then
    for c in "$ROOT"/scripts/gpu-kit/jgpt-gpu-kit.tar.{xz,zst,gz}; do
      [[ -f "$c" ]] && { KIT="$c"; break; }
    done
  fi
  [[ -n "$KIT" && -f "$KIT" ]] || { echo "gpu-check: no kit archive (looked for ${KIT:-scripts/gpu-kit/jgpt-gpu-kit.tar.xz|zst|gz}): build one as this script's header says and carry it with the working tree, or pass --kit FILE" >&2; exit 1; }
  KIT_DIR="${TMPDIR:-/tmp}/jgpt-gpu-kit-$(cksum <"$KIT" | cut -d' ' -f1)"
  if [[ ! -f "$KIT_DIR/.unpacked" ]]; then
    rm -rf "$KIT_DIR.partial" && mkdir -p "$KIT_DIR.partial"
    case "$KIT" in
      *.zst) command -v zstd >/dev/null || { echo "gpu-check: $KIT needs zstd, which is not installed: repack the kit as .tar.xz" >&2; exit 1; }
             zstd -dc "$KIT" | tar -x -C "$KIT_DIR.partial" ;;
      *.xz) tar -xJf "$KIT" -C "$KIT_DIR.partial" ;;
      *) tar -xzf "$KIT" -C "$KIT_DIR.partial" ;;
    esac
    touch "$KIT_DIR.partial/.unpacked"
    rm -rf "$KIT_DIR" && mv "$KIT_DIR.partial" "$KIT_DIR"
  fi
fi
KIT_DIR="$(cd "$KIT_DIR" && pwd)"
for part in jdk/bin/java tornadovm/tornado-argfile.template jgpt.jar tests junit-platform-console-standalone.jar; do
  [[ -e "$KIT_DIR/$part" ]] || { echo "gpu-check: the kit in $KIT_DIR has no $part: rebuild it as this script's header says" >&2; exit 1; }
done
JAVA="$KIT_DIR/jdk/bin/java"
export TORNADOVM_HOME="$KIT_DIR/tornadovm"
export JAVA_HOME="$KIT_DIR/jdk"

# The SDK's JVM flags with ${TORNADOVM_HOME} filled in and "." dropped from the module path, as
# kernels/src/tornado/launch/tornado-launch.sh does for ./jgpt.
WORK="$(mktemp -d "${TMPDIR:-/tmp}/jgpt-gpu-check.XXXXXX")"
ARGFILE="$WORK/tornado-argfile"
sed -e "s#\${TORNADOVM_HOME}#$TORNADOVM_HOME#g" \
  -e '/^--module-path /{s#^--module-path \.:#--module-path #;s#:\.:#:#g;s#:\.$##}' \
  "$TORNADOVM_HOME/tornado-argfile.template" >"$ARGFILE"
JVM_FLAGS=(@"$ARGFILE" -Dtornado.recover.bailout=False -Dtornado.tvm.maxbytecodesize=65536
  --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
jgpt() { "$JAVA" "${JVM_FLAGS[@]}" -XX:MaxRAMPercentage=75 -cp "$KIT_DIR/jgpt.jar" dev.jgpt.cli.Main "$@"; }

# ---- the device ----
echo "== devices"
DEVICES="$(jgpt devices 2>&1)" || { echo "$DEVICES" >&2; echo "gpu-check: jgpt devices failed (above): TornadoVM does not start with this kit" >&2; exit 1; }
echo "$DEVICES"
if [[ "$DEVICE_KIND" == nvidia ]] && ! grep -qi nvidia <<<"$DEVICES"; then
  echo "gpu-check: TornadoVM sees no NVIDIA device (list above): check the driver (nvidia-smi), or pass --device-kind any to run on what is there" >&2
  exit 1
fi

STATUS=0
TEST_SUMMARY="not run"
PARITY="not run"
if [[ "$RUN_TESTS" == 1 ]]; then
  echo "== backend tests and CPU/GPU parity (device $DEVICE)"
  # The kernels module's tornado tests, TornadoParityTest and TornadoCompileOnceTest; the 48-layer
  # TornadoDepthTest is left out (minutes of compilation), as is TornadoKernelBench (not a test).
  TEST_LOG="$WORK/tests.log"
  CP="$KIT_DIR/tests/kernels:$KIT_DIR/tests/transformer:$KIT_DIR/jgpt.jar"
  # Selected by --tests: every test class of both packages whose name matches.
  SELECT=(--select-package dev.jgpt.kernels.tornado --select-class dev.jgpt.transformer.TornadoParityTest
    --select-class dev.jgpt.transformer.TornadoCompileOnceTest)
  [[ -n "$TEST_FILTER" ]] && SELECT=(--select-package dev.jgpt.kernels.tornado --select-package dev.jgpt.transformer
    --include-classname ".*\.($TEST_FILTER)")
  # The classes go on the JVM's own class path (-cp), not the launcher's --class-path: TornadoVM
  # reads kernel class files through the application class loader and fails on a child loader.
  set +e
  "$JAVA" "${JVM_FLAGS[@]}" -Xmx8g -Djgpt.tornado.device="$DEVICE" \
    -cp "$CP:$KIT_DIR/junit-platform-console-standalone.jar" org.junit.platform.console.ConsoleLauncher \
    execute --disable-banner --details=summary "${SELECT[@]}" 2>&1 | tee "$TEST_LOG"
  rc=${PIPESTATUS[0]}
  set -e
  [[ $rc -eq 0 ]] || STATUS=1
  grep -q '^\[ *0 tests found' "$TEST_LOG" && { echo "gpu-check: no test matched" >&2; STATUS=1; }
  TEST_SUMMARY="$(sed -n 's/^\[ *\([0-9]*\) tests successful.*/\1 passed/p' "$TEST_LOG" | head -1), $(sed -n 's/^\[ *\([0-9]*\) tests failed.*/\1 failed/p' "$TEST_LOG" | head -1)"
  # from "TornadoParityTest: largest loss difference over 50 steps: 4.7683716E-7 (step 47); per step:"
  PARITY="$(sed -n 's/^TornadoParityTest: largest loss difference over \([0-9]*\) steps: \([^;]*\).*/\2 over \1 steps/p' "$TEST_LOG" | head -1)"
  [[ -n "$PARITY" ]] || PARITY="no result (see $TEST_LOG)"
fi

ROWS=()
if [[ "$RUN_BENCH" == 1 ]]; then
  SHAPES=("nanogpt-cpu|--preset nanogpt-cpu" "baby-gpt|--preset baby-gpt"
    "gpt2-124M B4 T64|--n-layer 12 --n-head 12 --n-embd 768 --vocab-size 50257 --batch-size 4 --block-size 64")
  for shape in "${SHAPES[@]:0:$SHAPE_COUNT}"; do
    name="${shape%%|*}"
    read -r -a args <<<"${shape#*|}"
    row="$name"
    for backend in tornado cpu; do
      echo "== bench train $name on $backend"
      dev=0; [[ "$backend" == tornado ]] && dev="$DEVICE"
      set +e
      out="$(jgpt bench train "${args[@]}" --backend "$backend" --device "$dev" --steps "$STEPS" --warmup 3 2>&1)"
      rc=$?
      set -e
      echo "$out"
      ms="$(sed -n 's/^training: \([0-9.]*\) ms\/step, \([0-9,]*\) tokens\/s.*/\1 ms (\2 tok\/s)/p' <<<"$out" | head -1)"
      if [[ $rc -ne 0 || -z "$ms" ]]; then ms="failed"; STATUS=1; fi
      row="$row|$ms"
    done
    ROWS+=("$row")
  done
fi

echo
echo "== jgpt GPU check: tornado device $DEVICE: $(sed -n "/^tornado/,\$ s/^ *$DEVICE: //p" <<<"$DEVICES" | head -1)"
echo "tests: $TEST_SUMMARY; parity (largest train-loss difference, CPU vs device): $PARITY"
if [[ ${#ROWS[@]} -gt 0 ]]; then
  printf '%-20s | %-28s | %-28s\n' "shape" "tornado (device $DEVICE)" "cpu"
  printf '%-20s-+-%-28s-+-%-28s\n' "" "" "" | tr ' ' '-'
  for row in "${ROWS[@]}"; do
    IFS='|' read -r n t c <<<"$row"
    printf '%-20s | %-28s | %-28s\n' "$n" "$t" "$c"
  done
fi
if [[ $STATUS -eq 0 ]]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
exit $STATUS
