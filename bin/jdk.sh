# Sourced by bin/infercost and bin/test: picks a JDK 25+ and exports JAVA_HOME, or exits with advice.
# Order: $JAVA_HOME if it is 25 or newer, else the newest /usr/lib/jvm/*25* (then any newer JDK there).
infercost_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}
infercost_pick_jdk() {
  local cand major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(infercost_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then return 0; fi
  fi
  for cand in /usr/lib/jvm/*25* /usr/lib/jvm/*2[6-9]* /usr/lib/jvm/*3[0-9]*; do
    [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    major=$(infercost_java_major "$cand")
    if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then export JAVA_HOME="$cand"; return 0; fi
  done
  cat >&2 <<'MSG'
infercost: no JDK 25 found.
  Looked at $JAVA_HOME and /usr/lib/jvm/*25*. infercost needs a JDK 25 or newer (Vector API, FFM).
  Install one, e.g. Eclipse Temurin 25 (apt package temurin-25-jdk from the Adoptium repository,
  or a tarball unpacked under /usr/lib/jvm/), or point JAVA_HOME at it.
MSG
  exit 2
}
infercost_pick_jdk
export PATH="$JAVA_HOME/bin:$PATH"
if ! command -v mvn >/dev/null 2>&1; then
  echo "infercost: Maven (mvn) not found; install it (Debian: apt-get install maven)." >&2
  exit 2
fi
# Maven's own Guava warns about sun.misc.Unsafe on JDK 25; keep the console readable.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
