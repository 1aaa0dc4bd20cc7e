#!/usr/bin/env bash
# Profiles aigw under load: starts the bench mock and aigw (scripts/run.sh's JVM flags, io_threads 1),
# warms it up, profiles a wrk run and writes a flame graph and a summary of the top frames into a
# directory it prints (see bench/README.md, "Profiling").
#   scripts/profile.sh [off|default] [seconds] [small|stream|big]
#     off      request log off, metrics on: the bench's main aigw (default)
#     default  conf/proxy.yaml as shipped (SQLite request log, full bodies, metrics on)
# Environment: PROFILE_EVENT (cpu, the default, alloc or wall), PROFILE_WARMUP (seconds, default 10),
# PROFILE_FILTER (frames a stack must contain to count as the event loop's, default EventLoop.run),
# PROFILE_TOP (frames listed, default 30), PROFILE_PROFILER=jfr (JFR even where async-profiler loads), PROFILE_OUT (the directory, default a new /tmp/aigw-profile.*),
# AIGW_BENCH_IO_THREADS (default 1), JAVA_OPTS (more JVM flags for aigw).
# The profiler is async-profiler 4.1 from Maven Central (tools.profiler:async-profiler, classifier
# linux-x64, and tools.profiler:jfr-converter for the HTML), fetched into bench/target/async-profiler
# and attached after the warm-up; where it cannot load, JDK Flight Recorder profiles instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

variant="${1:-off}"; secs="${2:-20}"; body="${3:-small}"
case "$variant" in off|default) ;; *) echo "usage: $0 [off|default] [seconds] [small|stream|big]" >&2; exit 2 ;; esac
case "$body" in small|stream|big) ;; *) echo "usage: $0 [off|default] [seconds] [small|stream|big]" >&2; exit 2 ;; esac
event="${PROFILE_EVENT:-cpu}"
case "$event" in cpu|alloc|wall) ;; *) echo "PROFILE_EVENT: cpu, alloc or wall" >&2; exit 2 ;; esac
warm="${PROFILE_WARMUP:-10}"
filter="${PROFILE_FILTER:-EventLoop.run}"
top="${PROFILE_TOP:-30}"
io_threads="${AIGW_BENCH_IO_THREADS:-1}"
out="${PROFILE_OUT:-$(mktemp -d /tmp/aigw-profile.XXXXXX)}"
mkdir -p "$out"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
log() { echo "profile: $*" >&2; }

command -v wrk >/dev/null || { echo "profile: wrk is missing (apt-get install wrk)" >&2; exit 1; }
log "building"
./mvnw -q -B -ntp -pl bench -am package -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true
touch proxy-server/target/lib/.aigw-built
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jdk_bin="$(dirname "$(readlink -f "$(command -v "$java_bin")")")"
cp="bench/target/classes:bench/target/lib/*"

# ---- the profiler ------------------------------------------------------------------------------
ap_dir=bench/target/async-profiler
ap_lib="$ap_dir/linux-x64/libasyncProfiler.so"
converter="$ap_dir/jfr-converter-4.1.jar"
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] && [ ! -f "$ap_lib" ]; then
  log "fetching async-profiler 4.1 from Maven Central"
  ./mvnw -q -B -ntp -N dependency:copy -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64 \
    -DoutputDirectory="$ap_dir" >&2 || log "async-profiler could not be fetched"
  if [ -f "$ap_dir/async-profiler-4.1-linux-x64.jar" ]; then
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("linux-x64/libasyncProfiler.so", sys.argv[2])' \
      "$ap_dir/async-profiler-4.1-linux-x64.jar" "$ap_dir"
  fi
fi
if [ ! -f "$converter" ]; then
  ./mvnw -q -B -ntp -N dependency:copy -Dartifact=tools.profiler:jfr-converter:4.1 -DoutputDirectory="$ap_dir" >&2 \
    || log "jfr-converter could not be fetched: no flame graph"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 150); do curl -fs -m 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; log "$1 never answered"; return 1; }

# ---- mock and aigw -----------------------------------------------------------------------------
mock_port="$(free_port)"; proxy_port="$(free_port)"
key="sk-profile-$(date +%s)"
"$java_bin" -Xms256m -Xmx1g -XX:+UseG1GC -cp "$cp" io.aigw.bench.mock.MockProvider --port "$mock_port" \
  >"$out/mock.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$mock_port/health"
if [ "$variant" = default ]; then
  python3 bench/shipped_config.py conf/proxy.yaml "$proxy_port" "$io_threads" "$out/data" "$key" "$mock_port" >"$out/proxy.yaml"
else
  cat >"$out/proxy.yaml" <<YAML
server: {host: 127.0.0.1, port: $proxy_port, io_threads: $io_threads}
upstream: {max_connections: 20000, max_pending_acquires: 20000, idle_timeout_ms: 120000}
auth: {api_keys: ["$key"]}
data_dir: $out/data
request_log: {store: off}
providers:
  mock: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
models:
  "mock": {providers: {mock: {}}}
  "mock;chunks=20": {providers: {mock: {}}}
YAML
fi
JAVA_OPTS="-Daigw.bench=true ${JAVA_OPTS:-}" scripts/run.sh --config "$out/proxy.yaml" >"$out/aigw.log" 2>&1 &
aigw=$!   # run.sh execs the JVM, so this is its pid
pids+=($aigw)
wait_http "http://127.0.0.1:$proxy_port/health"

case "$body" in
  small) printf '{"model":"mock","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello."}],"max_tokens":16}' >"$out/body.json"; conns=64 ;;
  stream) printf '{"model":"mock;chunks=20","stream":true,"messages":[{"role":"user","content":"Count to twenty."}]}' >"$out/body.json"; conns=32 ;;
  big) python3 -c 'import json, sys; t = ("The quick brown fox jumps over the lazy dog. " * 2300)[:102400]; json.dump({"model": "mock", "messages": [{"role": "user", "content": t}]}, open(sys.argv[1], "w"))' "$out/body.json"; conns=16 ;;
esac
cat >"$out/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = io.open(os.getenv("BODY_FILE"), "rb"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
LUA
load() { # seconds
  BODY_FILE="$out/body.json" KEY="$key" wrk -t1 -c"$conns" -d"$1"s --latency -s "$out/post.lua" \
    "http://127.0.0.1:$proxy_port/v1/chat/completions"
}
log "warming up for $warm s (JIT)"
load "$warm" >/dev/null

# ---- profile the load --------------------------------------------------------------------------
# Attached after the warm-up, so that start-up and compilation stay out of the profile.
profiler=""
if [ -f "$ap_lib" ] && [ "${PROFILE_PROFILER:-}" != jfr ]; then
  opts="start,event=$event"
  [ "$event" = alloc ] || opts="$opts,interval=1ms"
  # Quoted for jcmd's own parser, which would split the options at '='; "return code: 0" is the agent's success.
  if "$jdk_bin/jcmd" "$aigw" JVMTI.agent_load "$(readlink -f "$ap_lib")" "\"$opts\"" >"$out/attach.log" 2>&1 \
     && grep -q 'return code: 0' "$out/attach.log"; then
    profiler=async-profiler
  else
    log "async-profiler did not load ($(tr '\n' ' ' <"$out/attach.log")); JFR instead"
  fi
fi
if [ -z "$profiler" ]; then
  profiler=jfr
  "$jdk_bin/jcmd" "$aigw" JFR.start name=aigw-profile settings=profile >"$out/attach.log" 2>&1
fi
log "profiling $secs s of $body requests ($variant config, $event, $profiler)"
c0="$(awk '{print $14+$15}' "/proc/$aigw/stat")"
load "$secs" >"$out/wrk.txt" 2>&1
c1="$(awk '{print $14+$15}' "/proc/$aigw/stat")"
if [ "$profiler" = async-profiler ]; then
  "$jdk_bin/jcmd" "$aigw" JVMTI.agent_load "$(readlink -f "$ap_lib")" "\"stop,file=$out/profile.collapsed,collapsed\"" \
    >>"$out/attach.log" 2>&1
else
  "$jdk_bin/jcmd" "$aigw" JFR.stop name=aigw-profile filename="$out/profile.jfr" >>"$out/attach.log" 2>&1
  "$jdk_bin/jfr" summary "$out/profile.jfr" >"$out/jfr-summary.txt" 2>&1 || true
  if [ -f "$converter" ]; then
    # The JDK's recorder samples Java stacks (jdk.ExecutionSample, the converter's default) or allocations.
    jfr_flag=()
    [ "$event" = alloc ] && jfr_flag=(--alloc)
    "$java_bin" -cp "$converter" Main "${jfr_flag[@]}" -o collapsed "$out/profile.jfr" "$out/profile.collapsed" >/dev/null
  else
    # No converter: the execution samples' stacks from `jfr print`, folded here (CPU only).
    "$jdk_bin/jfr" print --events jdk.ExecutionSample --stack-depth 128 "$out/profile.jfr" | python3 -c '
import collections, re, sys
stacks, cur, inside = collections.Counter(), [], False
for line in sys.stdin:
    if line.startswith("jdk.ExecutionSample"):
        cur, inside = [], False
    elif "stackTrace = [" in line:
        inside = True
    elif inside and line.strip() == "]":
        inside = False
        if cur:
            stacks[";".join(reversed(cur))] += 1
    elif inside:
        m = re.match(r"\s+(\S+?)\(", line)
        if m:
            cur.append(m.group(1))
for s, n in stacks.items():
    print(s, n)' >"$out/profile.collapsed"
  fi
fi
kill "$aigw" 2>/dev/null || true

# ---- the flame graphs and the summary ----------------------------------------------------------
if [ -f "$converter" ] && [ -s "$out/profile.collapsed" ]; then
  "$java_bin" -cp "$converter" Main --title "aigw, $variant config, $body requests, $event" \
    "$out/profile.collapsed" "$out/flame.html" >/dev/null
  "$java_bin" -cp "$converter" Main --title "aigw event loop ($filter), $variant config, $body requests, $event" \
    -I ".*$(python3 -c 'import re, sys; print(re.escape(sys.argv[1]))' "$filter").*" \
    "$out/profile.collapsed" "$out/flame-event-loop.html" >/dev/null || true
fi
python3 - "$out/profile.collapsed" "$filter" "$top" "$out/wrk.txt" "$(getconf CLK_TCK)" "$((c1 - c0))" \
  "$variant" "$body" "$event" "$profiler" "$secs" >"$out/summary.txt" <<'PY'
import collections, re, sys
path, filt, top, wrk, hz, ticks, variant, body, event, profiler, secs = sys.argv[1:12]
top, hz, ticks = int(top), int(hz), int(ticks)
wrk_out = open(wrk).read()
n = re.search(r"(\d+) requests in ", wrk_out)
rps = re.search(r"Requests/sec:\s+([\d.]+)", wrk_out)
n = int(n.group(1)) if n else 0
unit = "samples"
print(f"aigw profile: {variant} config, {body} requests, {secs} s of wrk, event {event}, {profiler}")
print(f"requests/s {rps.group(1) if rps else '-'}; aigw CPU µs per request (every thread, /proc) "
      f"{ticks * 1e6 / hz / n:.1f}" if n else "no requests counted")
stacks = []
for line in open(path):
    line = line.rstrip("\n")
    if not line:
        continue
    stack, _, count = line.rpartition(" ")
    # The converter marks a recording's frames by kind (_[0], _[j], _[i]...): one name per method here.
    stacks.append(([re.sub(r"_\[\w\]$", "", fr) for fr in stack.split(";")], int(count)))
total = sum(c for _, c in stacks)
def table(title, chosen):
    own, incl = collections.Counter(), collections.Counter()
    for frames, c in chosen:
        own[frames[-1]] += c
        for fr in set(frames):
            incl[fr] += c
    t = sum(c for _, c in chosen)
    print(f"\n== {title}: {t} {unit}, {100 * t / total if total else 0:.1f}% of all ==")
    for name, counter in (("self", own), ("inclusive", incl)):
        print(f"\n-- top {top} by {name} --")
        for fr, c in counter.most_common(top):
            print(f"{100 * c / t if t else 0:6.2f}%  {c:>10}  {fr}")
table("every thread", stacks)
table(f"event loop (stacks containing '{filt}')", [(f, c) for f, c in stacks if any(filt in x for x in f)])
PY
cat "$out/summary.txt"
log "profile in $out: summary.txt$([ -f "$out/flame.html" ] && echo ", flame.html, flame-event-loop.html"), profile.collapsed"
echo "$out"
