#!/usr/bin/env bash
# JMH micro-benchmarks of the hot translation code (package io.aigw.bench.jmh).
#   scripts/jmh.sh                          all of them, short runs, -prof gc, JSON to bench/target/jmh-result.json
#   scripts/jmh.sh RequestRewrite -prof gc  any JMH arguments instead (regexp, -p kind=SMALL, -f, -i, -h ...)
# Builds the bench module first. JAVA_OPTS are passed to the JMH harness JVM (not the forks).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

./mvnw -q -B -pl bench -am package -DskipTests

if [ "$#" -eq 0 ]; then
  # Short enough for a small shared machine; raise -wi/-i/-f for numbers worth comparing.
  set -- 'io\.aigw\.bench\.jmh\..*' -prof gc -f 1 -wi 3 -w 1s -i 5 -r 1s \
         -rf json -rff bench/target/jmh-result.json
fi

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# shellcheck disable=SC2086
exec "$java_bin" ${JAVA_OPTS:-} -cp 'bench/target/classes:bench/target/lib/*' org.openjdk.jmh.Main "$@"
