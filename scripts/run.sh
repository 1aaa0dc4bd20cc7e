#!/usr/bin/env bash
# Starts aigw in the foreground: scripts/run.sh [--config FILE]
# Builds first when the build is missing or older than the sources, so a fresh clone needs only a JDK.
# Environment: PROXY_CONFIG, PROXY_PORT, PROXY_API_KEYS (see README); AIGW_HEAP (default 1g);
# AIGW_CDS=off (no class-data archive); JAVA_OPTS are appended to the JVM flags (a -XX:+Use*GC
# there replaces ours). The flags are measured ones: README "Running", bench/README.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

stamp=proxy-server/target/lib/.aigw-built
if [ ! -f "$stamp" ] || [ -n "$(find pom.xml ./*/pom.xml proxy-*/src/main -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "aigw: building (first start, or the sources changed)..." >&2
  # Formatting and coverage are the test command's business, not a start's.
  ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true -pl proxy-server -am package
  rm -f proxy-server/target/aigw-jdk*.jsa # the class-data archive is of the old classes
  touch "$stamp"
fi

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# The JDK's version from its release file: asking the JVM itself costs a whole extra JVM start.
java_home_dir="$(dirname "$(dirname "$(readlink -f "$(command -v "$java_bin")")")")"
java_major="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$java_home_dir/release" 2>/dev/null || true)"
if [ -z "$java_major" ]; then
  java_major="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
fi
# A collector chosen in JAVA_OPTS replaces ours (the JVM refuses two).
# On two cores or fewer the serial collector: a proxy keeps little alive, so young collections are
# short (measured with one event loop at ~25k requests/s: pauses p50 0.7 ms, p99 2.1 ms against G1's
# 1.9 / 27.5 ms), CPU per request the same, and 40% less resident memory (no G1 remembered sets).
# With more cores G1, whose young collections run on every core (the JVM's own ergonomics also
# choose serial only on small machines). bench/README.md has the figures.
if [ "$(nproc 2>/dev/null || echo 1)" -le 2 ]; then
  gc=(-XX:+UseSerialGC)
else
  gc=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20)
fi
case " ${JAVA_OPTS:-} " in *" -XX:+Use"*"GC "*) gc=() ;; esac
# A small initial heap: an idle proxy stays small (the heap grows to AIGW_HEAP under load).
# Two malloc arenas instead of eight per core: the JVM's and SQLite's native allocations are few,
# and each extra arena only keeps freed memory resident.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
flags=(-server -Xms32m "-Xmx${AIGW_HEAP:-1g}" "${gc[@]}"
       -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem
       "-Dlogback.configurationFile=$root/conf/logback.xml")
if [ "${java_major%%.*}" -ge 24 ] 2>/dev/null; then
  # Netty's native transport and Unsafe use stay allowed without warnings on newer JDKs.
  flags+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
fi
# The application as its jar (class-data sharing archives classes from jars, not directories).
app="$(ls proxy-server/target/proxy-server-*.jar 2>/dev/null | grep -v -e '-tests\.jar$' -e '-sources\.jar$' | head -n 1 || true)"
# Class-data sharing for the application's classes too: a start then maps them, parsed and
# verified, instead of loading each from its jar (measured in bench/README.md). The archive is
# written when a start without one exits (a normal stop), and used from then on; a build deletes
# it. AIGW_CDS=off leaves it out.
if [ -n "$app" ] && [ "${AIGW_CDS:-on}" != off ]; then
  jsa="proxy-server/target/aigw-jdk${java_major%%.*}.jsa"
  # Writing an archive lists each class it cannot keep (JFR events, proxies) as a warning: noise.
  flags+=(-Xlog:cds=error)
  # A jar rebuilt since (by a test run, say) no longer matches the archive: the JVM would ignore it.
  if [ -f "$jsa" ] && [ "$jsa" -ot "$app" ]; then rm -f "$jsa"; fi
  if [ "${java_major%%.*}" -ge 19 ] 2>/dev/null; then
    flags+=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$jsa")
  elif [ -f "$jsa" ]; then
    flags+=("-XX:SharedArchiveFile=$jsa")
  else
    flags+=("-XX:ArchiveClassesAtExit=$jsa")
  fi
fi
# shellcheck disable=SC2086
exec "$java_bin" "${flags[@]}" ${JAVA_OPTS:-} \
  -cp "${app:-proxy-server/target/classes}:proxy-server/target/lib/*" io.aigw.server.Main "$@"
