#!/usr/bin/env bash
# Builds the distribution: dist/aigw-<version>.tar.gz, which unpacks to aigw-<version>/ with
#   bin/aigw     start [--config FILE] | health [PORT] | the CLI's commands (source: scripts/dist/aigw)
#   lib/         proxy-server's jar, its runtime dependencies, jvm-flags.sh (shared with scripts/run.sh)
#   runtime/     a Java runtime trimmed by jlink to the modules aigw uses: the host needs no JDK
#   conf/        proxy.yaml, logback*.xml, examples/, aigw.service (the systemd unit)
#   README.md
# The runtime is the building JDK's (JAVA_HOME, else the java on PATH), so the tarball is for this
# machine's OS and architecture (linux-x64 here) and that JDK's version; it needs glibc.
# Environment: AIGW_DIST_REUSE_BUILD=1 uses proxy-server/target as it is (scripts/test.sh, after
# `verify`, sets it) instead of building; JAVA_HOME picks the JDK (17 or newer).
# Prints the tarball's path last on stdout; timings and sizes go to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
for tool in java jlink jdeps; do
  if [ ! -x "$java_home/bin/$tool" ]; then
    echo "dist.sh: $java_home/bin/$tool is missing: a full JDK (17 or newer) is needed, not a JRE" >&2
    exit 1
  fi
done
# shellcheck source=scripts/jvm-flags.sh
. "$root/scripts/jvm-flags.sh"
java_major="$(aigw_java_major "$java_home")"

# The project's version: the root pom's own <version>, the first one in it (it has no parent).
version="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -n 1)"
if [ -z "$version" ]; then
  echo "dist.sh: no <version> found in pom.xml" >&2
  exit 1
fi

if [ "${AIGW_DIST_REUSE_BUILD:-0}" != 1 ]; then
  echo "dist.sh: building proxy-server and its modules (tests skipped)..." >&2
  JAVA_HOME="$java_home" ./mvnw -q -B -ntp -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true \
    -pl proxy-server -am package >&2
  touch proxy-server/target/lib/.aigw-built # scripts/run.sh and scripts/aigw need not build again
fi
app="proxy-server/target/proxy-server-$version.jar"
if [ ! -f "$app" ] || ! ls proxy-server/target/lib/*.jar >/dev/null 2>&1; then
  echo "dist.sh: $app or proxy-server/target/lib/ is missing: build first (or drop AIGW_DIST_REUSE_BUILD)" >&2
  exit 1
fi

name="aigw-$version"
stage="dist/$name"
rm -rf "$stage" "dist/$name.tar.gz"
mkdir -p "$stage/bin" "$stage/lib" "$stage/conf"
cp "$app" proxy-server/target/lib/*.jar "$stage/lib/"
cp scripts/jvm-flags.sh "$stage/lib/"
cp scripts/dist/aigw "$stage/bin/aigw"
chmod 755 "$stage/bin/aigw"
cp conf/proxy.yaml conf/logback.xml conf/logback-cli.xml conf/aigw.service "$stage/conf/"
cp -r conf/examples "$stage/conf/"
cp README.md "$stage/"
# Names the application's class-data archive on the host (bin/aigw): one per build of the tarball.
echo "$version-jdk$java_major-$(date -u +%Y%m%d%H%M%S)" >"$stage/lib/build-id"

# The modules: what jdeps finds in the bytecode reachable from the application's jar (recursively
# over the class path: given every jar as a root, jdeps stops at the first modular jar whose
# module-info requires a library that is not shipped, such as netty-codec-xml's aalto; the union
# over every jar only adds jdk.sctp, for Netty's unused SCTP transport), plus what is only reached
# by reflection, ServiceLoader or name, which jdeps cannot see:
#   jdk.unsupported  sun.misc.Unsafe for Netty's buffers, sun.misc.Signal for Main's SIGTERM/SIGHUP
#   jdk.crypto.ec    elliptic-curve TLS (ECDHE, ECDSA certificates) to providers (JDK < 22; in java.base since)
#   jdk.management   com.sun.management.ThreadMXBean: the allocated-bytes metric
#   java.naming, jdk.naming.dns  Netty's DNS resolver asks JNDI for the name servers as a fallback
#   jdk.zipfs        jar: file systems (FileSystems.newFileSystem on a jar), by name only; 0.1 MB
#   jdk.localedata is left out: aigw formats with Locale.ROOT only.
start_ns="$(date +%s%N)"
modules="$("$java_home/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release "$java_major" \
  --class-path "$stage/lib/*" "$stage/lib/proxy-server-$version.jar")"
jdeps_ms="$(( ($(date +%s%N) - start_ns) / 1000000 ))"
available=" $("$java_home/bin/java" --list-modules | sed 's/@.*//' | tr '\n' ' ')"
for m in jdk.unsupported jdk.crypto.ec jdk.management java.naming jdk.naming.dns jdk.zipfs; do
  # A module this JDK does not have (jdk.crypto.ec may go away) is simply not added.
  case "$available" in *" $m "*) ;; *) continue ;; esac
  case ",$modules," in *",$m,"*) ;; *) modules="$modules,$m" ;; esac
done
# zip-6 is JDK 21's name for the older "2" (ZIP); 17 knows only the number.
if [ "$java_major" -ge 21 ]; then compress=zip-6; else compress=2; fi
start_ns="$(date +%s%N)"
# --generate-cds-archive: the runtime's own class-data archive (the JDK ships one; jlink does not
# by default). Starts map the JDK's classes from it, and the application's archive builds on it.
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  "--compress=$compress" --generate-cds-archive --output "$stage/runtime" >&2
# The archives for heaps over 32 GB (no compressed oops), 11 MB each: such a heap starts without one.
rm -f "$stage"/runtime/lib/server/classes_nocoops*.jsa
jlink_ms="$(( ($(date +%s%N) - start_ns) / 1000000 ))"

runtime_size="$(du -sh "$stage/runtime" | cut -f1)"
tar --sort=name --owner=0 --group=0 --numeric-owner -C dist -czf "dist/$name.tar.gz" "$name"
rm -rf "$stage"
echo "dist.sh: JDK $java_major, modules $modules" >&2
printf 'dist.sh: jdeps %d ms, jlink %d ms, runtime %s; dist/%s.tar.gz %s\n' "$jdeps_ms" "$jlink_ms" \
  "$runtime_size" "$name" "$(du -h "dist/$name.tar.gz" | cut -f1)" >&2
echo "dist/$name.tar.gz"
