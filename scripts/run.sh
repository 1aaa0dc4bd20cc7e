#!/usr/bin/env bash
# Starts aigw in the foreground: scripts/run.sh [--config FILE]
# Builds first when the build is missing or older than the sources, so a fresh clone needs only a JDK.
# Environment: PROXY_CONFIG, PROXY_PORT, PROXY_API_KEYS (see README); AIGW_HEAP (default 1g);
# JAVA_OPTS are appended to the JVM flags.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

stamp=proxy-server/target/lib/.aigw-built
if [ ! -f "$stamp" ] || [ -n "$(find pom.xml ./*/pom.xml proxy-*/src/main -newer "$stamp" -print -quit 2>/dev/null)" ]; then
  echo "aigw: building (first start, or the sources changed)..." >&2
  # Formatting and coverage are the test command's business, not a start's.
  ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true -pl proxy-server -am package
  touch "$stamp"
fi

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
java_major="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
flags=(-server -Xms256m "-Xmx${AIGW_HEAP:-1g}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20
       -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem
       "-Dlogback.configurationFile=$root/conf/logback.xml")
if [ "${java_major%%.*}" -ge 24 ] 2>/dev/null; then
  # Netty's native transport and Unsafe use stay allowed without warnings on newer JDKs.
  flags+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
fi
# shellcheck disable=SC2086
exec "$java_bin" "${flags[@]}" ${JAVA_OPTS:-} \
  -cp "proxy-server/target/classes:proxy-server/target/lib/*" io.aigw.server.Main "$@"
