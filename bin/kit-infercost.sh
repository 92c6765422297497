#!/usr/bin/env bash
# infercost launcher INSIDE a kit made by `infercost kit` (copied there as infercost-kit/bin/infercost): runs the
# kit's own Java runtime (runtime/, made with jlink) on the kit's jars (lib/); no JDK, Maven or network needed.
# When the kit holds a TornadoVM SDK (tornadovm/), TORNADOVM_HOME points at it and its JVM flags come from the
# SDK's tornado-argfile, written here from the SDK's template for wherever the kit was unpacked.
#   INFERCOST_JAVA_OPTS   extra JVM options (e.g. -Xmx24g)
#   INFERCOST_NO_TORNADOVM=1  start without TornadoVM even when the kit has it
set -euo pipefail
kit="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="$kit/runtime/bin/java"
if [ ! -x "$java" ]; then echo "infercost: $java missing: not an infercost kit (see 'infercost kit --help')" >&2; exit 2; fi
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)  # G1, as bin/infercost (ParallelGC halved JVM-engine decode)
flags+=(-Dinfercost.home="$kit")
[ -n "${INFERCOST_JAVA_OPTS:-}" ] && flags+=($INFERCOST_JAVA_OPTS)
if [ -d "$kit/tornadovm" ] && [ -z "${INFERCOST_NO_TORNADOVM:-}" ]; then
  export TORNADOVM_HOME="$kit/tornadovm"
  argfile="$TORNADOVM_HOME/tornado-argfile"
  if [ ! -f "$argfile" ] || ! grep -qF -- "-Djava.library.path=$TORNADOVM_HOME/lib" "$argfile"; then
    sed "s|\${TORNADOVM_HOME}|$TORNADOVM_HOME|g" "$TORNADOVM_HOME/tornado-argfile.template" > "$argfile.$$"
    mv "$argfile.$$" "$argfile"
  fi
  # recover.bailout=False: a kernel TornadoVM cannot compile is an error, never a silent run of the Java code
  flags+=("@$argfile" -Dtornado.recover.bailout=False -Dtornado.tvm.maxbytecodesize=262144)
fi
exec "$java" "${flags[@]}" -cp "$kit/lib/*" "${INFERCOST_MAIN:-dev.infercost.cli.Main}" "$@"
