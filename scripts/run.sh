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
java_home_dir="$(dirname "$(dirname "$(readlink -f "$(command -v "$java_bin")")")")"
# The flags themselves live in scripts/jvm-flags.sh, shared with the distribution's bin/aigw.
# shellcheck source=scripts/jvm-flags.sh
. "$root/scripts/jvm-flags.sh"
java_major="$(aigw_java_major "$java_home_dir")"
# The application as its jar (class-data sharing archives classes from jars, not directories).
app="$(ls proxy-server/target/proxy-server-*.jar 2>/dev/null | grep -v -e '-tests\.jar$' -e '-sources\.jar$' | head -n 1 || true)"
aigw_server_flags "$java_major" "$app" "proxy-server/target/aigw-jdk${java_major}.jsa" "$root/conf/logback.xml"
# shellcheck disable=SC2086
exec "$java_bin" "${aigw_flags[@]}" ${JAVA_OPTS:-} \
  -cp "${app:-proxy-server/target/classes}:proxy-server/target/lib/*" io.aigw.server.Main "$@"
