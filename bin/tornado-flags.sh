# TornadoVM JVM flags for bin/infercost (sourced when TORNADOVM_HOME is set; appends to the bash array `flags`,
# may modify `cp`; expects $root, $jar and $JAVA_HOME from bin/infercost). The flags come from the SDK itself:
# its tornado-argfile (module path, JVMCI/Graal exports, native library path), as TornadoVM's own `tornado`
# launcher uses it. If the jar was built without the tornado Maven profile (TORNADOVM_HOME unset at build time)
# or src/tornado changed since, rebuild it first so the TornadoVM classes are in it.
if [ ! -f "$TORNADOVM_HOME/tornado-argfile" ]; then
  echo "infercost: TORNADOVM_HOME=$TORNADOVM_HOME has no tornado-argfile (not a TornadoVM SDK?); continuing without TornadoVM" >&2
else
  # look in the jar itself: `bin/test` compiles the TornadoVM classes into target/classes without repackaging
  if ! "$JAVA_HOME/bin/jar" tf "$jar" 2>/dev/null | grep -q 'dev/infercost/engine/tornado/TornadoBackendImpl.class' \
     || [ -n "$(find "$root/src/tornado" -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
    echo "infercost: building with the tornado profile (mvn package, TORNADOVM_HOME=$TORNADOVM_HOME) ..." >&2
    (cd "$root" && mvn -B -q -DskipTests package) >&2 || { echo "infercost: build failed (see Maven output above)" >&2; exit 2; }
  fi
  # recover.bailout=False: a kernel TornadoVM cannot compile is an error, never a silent run of the Java code
  # on the host; maxbytecodesize: one task graph holds the whole decoder (~11 tasks per layer); MaximumInliningSize:
  # TornadoVM inlines a kernel helper only up to 2x this Graal option's node count (default 300), and the fused
  # norm+product helpers (DotsF32/DotsF16/DotsQ8.pair1, dotNorm4; generated from src/tornado/template) reach
  # ~950 nodes (F16 with halfToFloat inlined).
  flags+=("@$TORNADOVM_HOME/tornado-argfile" -Dtornado.recover.bailout=False -Dtornado.tvm.maxbytecodesize=262144
          -Djdk.graal.MaximumInliningSize=600)
fi
