# shellcheck shell=bash
# The JVM flags of the server and of the CLI, in one place: sourced by scripts/run.sh (a checkout)
# and by bin/aigw (the distribution built by scripts/dist.sh, where it is lib/jvm-flags.sh).
# Nothing here runs on its own. Only bash built-ins and nproc/rm, because bin/aigw must start on a
# host that has nothing but the tarball (scripts/dist-check.sh runs it with a PATH of a few tools).
# The flags are measured ones: README "Running: the JVM flags", bench/README.md "The runtime".

# aigw_java_major JAVA_HOME: the JDK's major version from its release file (jlink writes one too);
# asking the JVM itself costs a whole extra JVM start, so that is only the fallback.
aigw_java_major() {
  local line major=""
  if [ -r "$1/release" ]; then
    while IFS= read -r line; do
      case "$line" in
        JAVA_VERSION=*)
          major="${line#JAVA_VERSION=}"
          major="${major#\"}"
          major="${major%%[!0-9]*}"
          break
          ;;
      esac
    done <"$1/release"
  fi
  if [ -z "$major" ]; then
    major="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    major="${major%%.*}"
  fi
  printf '%s\n' "$major"
}

# aigw_server_flags JAVA_MAJOR APP_JAR JSA_FILE LOGBACK_XML: sets the array aigw_flags for the
# server and exports MALLOC_ARENA_MAX. APP_JAR empty (classes from a directory) or AIGW_CDS=off
# leave class-data sharing out; JSA_FILE is where the application's archive is kept.
aigw_server_flags() {
  local major="$1" app="$2" jsa="$3" logback="$4" gc
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
  # A collector chosen in JAVA_OPTS replaces ours (the JVM refuses two).
  case " ${JAVA_OPTS:-} " in *" -XX:+Use"*"GC "*) gc=() ;; esac
  # A small initial heap: an idle proxy stays small (the heap grows to AIGW_HEAP under load).
  # Two malloc arenas instead of eight per core: the JVM's and SQLite's native allocations are few,
  # and each extra arena only keeps freed memory resident.
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  aigw_flags=(-server -Xms32m "-Xmx${AIGW_HEAP:-1g}" "${gc[@]}"
    -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem
    "-Dlogback.configurationFile=$logback")
  if [ "${major:-0}" -ge 24 ] 2>/dev/null; then
    # Netty's native transport and Unsafe use stay allowed without warnings on newer JDKs.
    aigw_flags+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
  fi
  # Class-data sharing for the application's classes too: a start then maps them, parsed and
  # verified, instead of loading each from its jar (measured in bench/README.md). The archive is
  # written when a start without one exits (a normal stop), and used from then on; a build deletes
  # it. AIGW_CDS=off leaves it out.
  if [ -n "$app" ] && [ "${AIGW_CDS:-on}" != off ]; then
    # Writing an archive lists each class it cannot keep (JFR events, proxies) as a warning: noise.
    aigw_flags+=(-Xlog:cds=error)
    # A jar rebuilt since (by a test run, say) no longer matches the archive: the JVM would ignore it.
    if [ -f "$jsa" ] && [ "$jsa" -ot "$app" ]; then rm -f "$jsa"; fi
    if [ "${major:-0}" -ge 19 ] 2>/dev/null; then
      aigw_flags+=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$jsa")
    elif [ -f "$jsa" ]; then
      aigw_flags+=("-XX:SharedArchiveFile=$jsa")
    else
      aigw_flags+=("-XX:ArchiveClassesAtExit=$jsa")
    fi
  fi
}

# aigw_cli_flags LOGBACK_XML: sets the array aigw_flags for the command line (io.aigw.server.cli.AigwCli).
# A short-lived client: a small heap, the serial collector, and no C2 compilation make it start fast.
# No native code or Unsafe on the CLI's path (no Netty), so none of the server's JDK 24 flags, and
# no extra JVM start to find the version.
aigw_cli_flags() {
  aigw_flags=(-Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
    -XX:+PerfDisableSharedMem "-Dlogback.configurationFile=$1")
}
