#!/usr/bin/env bash
# Runs jgpt through the TornadoVM SDK in $TORNADOVM_HOME: ./jgpt execs this when TORNADOVM_HOME is
# set. Copied to cli/target by the kernels module's `tornado` Maven profile (the jar next to it was
# built with the TornadoVM backend). JAVA_HOME is the JDK ./jgpt found.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/cli/target/jgpt.jar"
SDK="${TORNADOVM_HOME:?TORNADOVM_HOME is not set: point it at the TornadoVM SDK}"
TEMPLATE="$SDK/tornado-argfile.template"
if [[ ! -f "$TEMPLATE" ]]; then
  echo "jgpt: $TEMPLATE not found: TORNADOVM_HOME must be the top folder of a TornadoVM SDK (5.2 or later, which ship tornado-argfile.template)" >&2
  exit 1
fi

# The SDK's JVM flags (module path, exports, JVMCI) with ${TORNADOVM_HOME} filled in: release SDKs
# ship only the template. Its module path starts with the current directory (".:"), so any jar in
# the folder jgpt is started from would be loaded as a module and can break start-up: "." is
# dropped from the module path. Written next to the jar, atomically.
ARGFILE="$ROOT/cli/target/tornado-argfile"
TMP="$(mktemp "$ARGFILE.XXXXXX")"
sed -e "s#\${TORNADOVM_HOME}#$SDK#g" \
  -e '/^--module-path /{s#^--module-path \.:#--module-path #;s#:\.:#:#g;s#:\.$##}' "$TEMPLATE" >"$TMP"
mv -f "$TMP" "$ARGFILE"

# Bailout off: a kernel TornadoVM cannot compile is an error, never a silent run in Java.
# Bytecode buffer raised: a captured step runs as graphs of up to 80 tasks (DevicePlan).
exec "${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}/bin/java" @"$ARGFILE" \
  -Dtornado.recover.bailout=False -Dtornado.tvm.maxbytecodesize=65536 \
  --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  ${JGPT_JAVA_OPTS:-} -cp "$JAR" dev.jgpt.cli.Main "$@"
