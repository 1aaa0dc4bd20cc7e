#!/usr/bin/env bash
# Benchmarks aigw against its limits, side by side in one run (see bench/README.md):
#   (a) the mock provider directly, (b) nginx as a plain pass-through proxy, (c) aigw.
# Prints a Markdown table with ratios and stops everything it started.
#   scripts/bench.sh            full run (about 16 minutes)
#   scripts/bench.sh --quick    shorter phases, 1,000 held streams, 50,000 writer rows (about 5 minutes)
# Environment: AIGW_BENCH_IO_THREADS (aigw event loops, default 1 = nginx's one worker),
# AIGW_BENCH_STREAMS (held streams; default: as many as the open-file limit allows, at most 10,000),
# AIGW_BENCH_ONLY (comma-separated scenarios to run, default all:
# start,max,default,route,metrics,log,trace,keys,limits,big,rate,stream,hold;
# and baseline, which runs only when asked for or when AIGW_BENCH_BASELINE is set),
# AIGW_BENCH_DEFAULT_ROUNDS (interleaved rounds of nginx against an aigw running the shipped conf/proxy.yaml,
# default 5), AIGW_BENCH_STARTS (fresh starts of the shipped config timed to their first 200 from /health, default 3),
# AIGW_BENCH_BASELINE (a git revision, default HEAD~1 when the baseline scenario is asked for: built in a
# worktree of its own and run beside this build, identical config, interleaved rounds of small chat requests
# and of streams: whether a change costs the existing path anything), AIGW_BENCH_BASELINE_ROUNDS (default 5),
# AIGW_BENCH_BASELINE_CONFIG=shipped (both on conf/proxy.yaml as shipped, request log and metrics on,
# instead of the bench config),
# AIGW_BENCH_METRICS_ROUNDS (interleaved rounds of metrics on against off, default 5),
# AIGW_BENCH_TRACE_ROUNDS (interleaved rounds of the tracing scenario, default 5: tracing off against
# tracing on at 100% sampling, exporting OTLP/HTTP to a local sink that accepts every batch),
# AIGW_BENCH_ROUTE_ROUNDS (interleaved rounds of the weighted-route scenario, default 5),
# AIGW_BENCH_KEYS_ROUNDS (interleaved rounds of the key scenario, default 5: one aigw, requests with a key
# from the config file against requests with a key made by POST /admin/keys and kept in the database),
# AIGW_BENCH_LOG_ROUNDS (interleaved rounds of the request-log scenario, default 5, run in two layouts:
# every process on every core, then PostgreSQL pinned to a core of its own with taskset, which needs
# permission to set the postgres processes' affinity; restored afterwards; AIGW_BENCH_LOG_LAYOUTS="shared"
# runs the first only), each round with logging off, on (PostgreSQL) and on with `durability: wal`,
# AIGW_BENCH_LOG_ROWS (rows the writer-throughput runs push, default 200,000; 50,000 with --quick),
# AIGW_BENCH_PG_HOST, AIGW_BENCH_PG_PORT, AIGW_BENCH_PG_DB, AIGW_BENCH_PG_USER (the PostgreSQL of the
# request-log scenario: default 127.0.0.1, 5432, postgres, postgres, no password; each run creates a
# schema of its own there and drops it at the end; an unreachable server skips the scenario).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

quick=0
[ "${1:-}" = "--quick" ] && quick=1
only=",${AIGW_BENCH_ONLY:-start,max,default,route,metrics,log,trace,keys,limits,big,rate,stream,hold${AIGW_BENCH_BASELINE:+,baseline}},"
want() { [[ "$only" == *",$1,"* ]]; }
dur=15; warm=5; hold_chunks=30
if [ "$quick" = 1 ]; then dur=5; warm=3; hold_chunks=10; fi

work="$(mktemp -d /tmp/aigw-bench.XXXXXX)"
results="$work/results.jsonl"
pids=()
pg_schemas=()
pg_affinity=""   # set while PostgreSQL is pinned to a core of its own (the request-log scenario)
baseline_tree=""
cleanup() {
  [ -n "$pg_affinity" ] && unpin_postgres
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for s in "${pg_schemas[@]}"; do pg_sql "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true; done
  [ -n "$baseline_tree" ] && git worktree remove --force "$baseline_tree" >/dev/null 2>&1 || true
}
trap cleanup EXIT

log() { echo "bench: $*" >&2; }
pg_sql() { psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" -X -q -tA -v ON_ERROR_STOP=1 -c "$1"; }

# ---- tools -------------------------------------------------------------------------------------
need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
command -v psql >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

log "building"
./mvnw -q -B -pl bench -am package -DskipTests
touch proxy-server/target/lib/.aigw-built
cp="bench/target/classes:bench/target/lib/*"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 100); do curl -fs -m 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; log "$1 never answered"; return 1; }

fd_limit="$(ulimit -n)"
streams="${AIGW_BENCH_STREAMS:-$(( (fd_limit - 400) / 2 < 10000 ? (fd_limit - 400) / 2 : 10000 ))}"
[ "$quick" = 1 ] && [ -z "${AIGW_BENCH_STREAMS:-}" ] && streams=1000
io_threads="${AIGW_BENCH_IO_THREADS:-1}"
route_rounds="${AIGW_BENCH_ROUTE_ROUNDS:-5}"
metrics_rounds="${AIGW_BENCH_METRICS_ROUNDS:-5}"
log_rounds="${AIGW_BENCH_LOG_ROUNDS:-5}"
log_layouts="${AIGW_BENCH_LOG_LAYOUTS:-shared own}"
log_rows="${AIGW_BENCH_LOG_ROWS:-$([ "$quick" = 1 ] && echo 50000 || echo 200000)}"
pg_host="${AIGW_BENCH_PG_HOST:-127.0.0.1}"; pg_port="${AIGW_BENCH_PG_PORT:-5432}"
pg_db="${AIGW_BENCH_PG_DB:-postgres}"; pg_user="${AIGW_BENCH_PG_USER:-postgres}"
pg_schema="aigw_bench_$(date +%s)_$$"
key="sk-bench-$(date +%s)"

# ---- the three targets -------------------------------------------------------------------------
mock_port="$(free_port)"; nginx_port="$(free_port)"; proxy_port="$(free_port)"
"$java_bin" -Xms256m -Xmx1g -XX:+UseG1GC -cp "$cp" io.aigw.bench.mock.MockProvider --port "$mock_port" \
  >"$work/mock.log" 2>&1 &
pids+=($!)
mock_pid=$!
wait_http "http://127.0.0.1:$mock_port/health"

mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<NGINX
user root;
worker_processes 1;
worker_rlimit_nofile $fd_limit;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections $(( fd_limit - 100 )); multi_accept on; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  client_max_body_size 32m;
  client_body_buffer_size 256k;
  keepalive_requests 1000000;
  upstream mock { server 127.0.0.1:$mock_port; keepalive 512; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$nginx_port backlog=4096;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;          # SSE must flow chunk by chunk, as through aigw
      proxy_read_timeout 120s;
    }
  }
}
NGINX
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
nginx_master=$!   # daemon off: the master itself; its worker is its child

cat >"$work/proxy.yaml" <<YAML
server: {host: 127.0.0.1, port: $proxy_port, io_threads: $io_threads}
upstream: {max_connections: 20000, max_pending_acquires: 20000, idle_timeout_ms: 120000}
auth: {api_keys: ["$key"]}
data_dir: $work/data
# Off here: the request-log scenario below measures its cost against an identical aigw with it off.
request_log: {store: off}
providers:
  mock: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
  # Three provider entries on the same mock, for the weighted route (one origin, so they share a pool).
  mock-a: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
  mock-b: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
  mock-c: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
models:
  "mock": {providers: {mock: {}}}
  # One priority group, weights 5/3/2; each deployment's model_id is distinct, so the mock's /stats
  # counts the split (the mock ignores the unknown dep option).
  "mock-weighted":
    providers:
      mock-a: {priority: 0, weight: 5, model_id: "mock;dep=a"}
      mock-b: {priority: 0, weight: 3, model_id: "mock;dep=b"}
      mock-c: {priority: 0, weight: 2, model_id: "mock;dep=c"}
  "mock;chunks=20": {providers: {mock: {}}}
  "mock;chunks=$hold_chunks;delay=1000": {providers: {mock: {}}}
YAML
JAVA_OPTS="-Daigw.bench=true" scripts/run.sh --config "$work/proxy.yaml" >"$work/proxy.log" 2>&1 &
proxy_jvm=$!   # run.sh execs the JVM, so this is its pid
pids+=($proxy_jvm)
wait_http "http://127.0.0.1:$proxy_port/health"
wait_http "http://127.0.0.1:$nginx_port/health"

declare -A base=([direct]="http://127.0.0.1:$mock_port" [nginx]="http://127.0.0.1:$nginx_port" [aigw]="http://127.0.0.1:$proxy_port")
targets=(direct nginx aigw)

# ---- request bodies ----------------------------------------------------------------------------
printf '{"model":"mock","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello."}],"max_tokens":16}' >"$work/small.json"
printf '{"model":"mock-weighted","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello."}],"max_tokens":16}' >"$work/small-weighted.json"
printf '{"model":"mock;chunks=20","stream":true,"messages":[{"role":"user","content":"Count to twenty."}]}' >"$work/stream.json"
printf '{"model":"mock;chunks=%s;delay=1000","stream":true,"messages":[{"role":"user","content":"Slowly."}]}' "$hold_chunks" >"$work/hold.json"
python3 - "$work/big.json" <<'PY'
import json, sys
text = ("The quick brown fox jumps over the lazy dog. " * 2300)[:102400]
json.dump({"model": "mock", "messages": [{"role": "user", "content": text}]}, open(sys.argv[1], "w"))
PY

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = io.open(os.getenv("BODY_FILE"), "rb"):read("*a")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
LUA

record() { echo "$1" >>"$results"; }

# wrk closed loop: requests/s and latency percentiles, as JSON.
cat >"$work/parse_wrk.py" <<'PY'
import re, sys, json
out = sys.stdin.read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
m = re.search(r"Requests/sec:\s+([\d.]+)", out)
pct = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
total = re.search(r"(\d+) requests in ", out)
errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
e = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, errs.groups())) if errs else 0)
print(json.dumps({"scenario": sys.argv[1], "target": sys.argv[2], "rps": float(m.group(1)) if m else None,
                  "p50_ms": pct.get("50"), "p90_ms": pct.get("90"), "p99_ms": pct.get("99"), "errors": e,
                  "requests": int(total.group(1)) if total else None,
                  "answered_2xx": (int(total.group(1)) - (int(non2xx.group(1)) if non2xx else 0)) if total else None}))
PY

# wrk closed loop: requests/s and latency percentiles, as one JSON line. With wrk_cpus set, wrk runs
# on those CPUs only (the request-log scenario's rounds with the database on a core of its own).
wrk_cpus=""
wrk_run() { # scenario target body connections duration
  local pin=()
  [ -n "$wrk_cpus" ] && pin=(taskset -c "$wrk_cpus")
  BODY_FILE="$3" KEY="$key" "${pin[@]}" wrk -t1 -c"$4" -d"$5"s --latency -s "$work/post.lua" "${base[$2]}/v1/chat/completions" 2>&1 \
    | python3 "$work/parse_wrk.py" "$1" "$2"
}

# CPU time per request of each party, from /proc (clock ticks) around a round: where a saturated
# shared machine's cycles go. Throughput on these 2 shared cores swings ±25% from round to round;
# CPU per request of the process under test moves far less, so it backs the throughput ratios.
cpu_ticks() { # pid...: the sum of their user+system ticks (a process gone counts 0)
  local sum=0 p t
  for p in "$@"; do t="$(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)"; sum=$((sum + t)); done
  echo "$sum"
}
machine_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
cpu_wrk_run() { # scenario target body aigw-pid: wrk_run (64 connections), plus CPU µs per request
  local pg_pids redis_pids a0 p0 m0 t0 r0 a1 p1 m1 t1 r1 line
  pg_pids=($(pgrep -x postgres || true))
  redis_pids=($(pgrep -x redis-server || true))
  a0="$(cpu_ticks "$4")"; p0="$(cpu_ticks "${pg_pids[@]}")"; m0="$(cpu_ticks "$mock_pid")"; t0="$(machine_ticks)"
  r0="$(cpu_ticks "${redis_pids[@]}")"
  line="$(wrk_run "$1" "$2" "$3" 64 "$dur")"
  a1="$(cpu_ticks "$4")"; p1="$(cpu_ticks "${pg_pids[@]}")"; m1="$(cpu_ticks "$mock_pid")"; t1="$(machine_ticks)"
  r1="$(cpu_ticks "${redis_pids[@]}")"
  python3 - "$line" "$(getconf CLK_TCK)" $((a1 - a0)) $((p1 - p0)) $((m1 - m0)) $((t1 - t0)) $((r1 - r0)) <<'PY'
import json, sys
d = json.loads(sys.argv[1]); hz = int(sys.argv[2]); n = d.get("requests") or 0
us = lambda ticks: round(int(ticks) * 1e6 / hz / n, 1) if n else None
d["cpu_us_per_request"] = {"aigw": us(sys.argv[3]), "postgres": us(sys.argv[4]), "mock": us(sys.argv[5]),
                           "machine": us(sys.argv[6]), "redis": us(sys.argv[7])}
print(json.dumps(d))
PY
}

# PostgreSQL on a core of its own, as a production database is on a host of its own: every postgres
# process (the postmaster too, so backends forked later follow) on the last CPU, the given pids (the
# aigw JVMs and the mock, every thread) on the others, and wrk too (wrk_cpus). Fails, changing
# nothing, on a machine with one CPU or where the affinity cannot be set; unpin_postgres undoes it.
pin_postgres() { # pid...
  local n last p
  n="$(nproc)"
  [ "$n" -ge 2 ] && command -v taskset >/dev/null || return 1
  last=$((n - 1))
  pg_affinity="$(taskset -p "$(pgrep -o -x postgres)" 2>/dev/null | awk '{print $NF}')" || return 1
  [ -n "$pg_affinity" ] || return 1
  for p in $(pgrep -x postgres); do taskset -a -p -c "$last" "$p" >/dev/null 2>&1 || { unpin_postgres; return 1; }; done
  wrk_cpus="0-$((last - 1))"
  for p in "$@"; do taskset -a -p -c "$wrk_cpus" "$p" >/dev/null 2>&1 || { unpin_postgres "$@"; return 1; }; done
}
unpin_postgres() { # pid...: every postgres process back to the mask it had, the pids to every CPU
  local p all
  all="0-$(($(nproc) - 1))"
  for p in $(pgrep -x postgres); do taskset -a -p "$pg_affinity" "$p" >/dev/null 2>&1 || true; done
  for p in "$@"; do taskset -a -p -c "$all" "$p" >/dev/null 2>&1 || true; done
  pg_affinity=""; wrk_cpus=""
}

driver() { # scenario target body mode args...
  local scenario="$1" target="$2" body="$3"; shift 3
  "$java_bin" -Xms512m -Xmx2g -cp "$cp" io.aigw.bench.load.LoadDriver --url "${base[$target]}/v1/chat/completions" \
    --body-file "$body" --header "Authorization: Bearer $key" "$@" 2>>"$work/driver.log" \
    | python3 -c "import json,sys; d=json.loads(sys.stdin.readline()); d.update(scenario='$scenario', target='$target'); print(json.dumps(d))"
}

# ---- CPU and heap allocation per request of the proxy under test (issue 19) ---------------------
# The target's processes: nginx's master and workers, or one aigw JVM (every thread: /proc/PID/stat
# sums the process's threads, those that have ended included, which /proc/PID/task/*/stat would miss).
target_pids() {
  case "$1" in
    nginx) echo "$nginx_master" $(pgrep -P "$nginx_master" || true) ;;
    aigw) echo "$proxy_jvm" ;;
    aigw-default) echo "${default_jvm:-}" ;;
  esac
}
# aigw's heap bytes allocated so far (every thread; its /metrics), empty for a target that is not aigw.
alloc_bytes() {
  case "$1" in aigw*) ;; *) return 0 ;; esac
  curl -fs -m 5 "${base[$1]}/metrics" 2>/dev/null | awk '$1 == "aigw_jvm_allocated_bytes_total" {printf "%.0f\n", $2}' || true
}
measure() { # target command...: the command prints one JSON line; adds the target's CPU µs and heap bytes per request
  local t="$1" procs a0 a1 c0 c1 line
  shift
  procs=($(target_pids "$t"))
  a0="$(alloc_bytes "$t")"
  c0="$(cpu_ticks "${procs[@]}")"
  line="$("$@")"
  c1="$(cpu_ticks "${procs[@]}")"
  a1="$(alloc_bytes "$t")"
  python3 - "$line" "$(getconf CLK_TCK)" "${#procs[@]}" "$((c1 - c0))" "${a0:-}" "${a1:-}" <<'PY'
import json, sys
d = json.loads(sys.argv[1]); hz = int(sys.argv[2])
# wrk counts every response it got; the load driver's responses_all includes its warm-up, as the window does.
n = d.get("responses_all") or d.get("requests") or 0
d["proc_cpu_us"] = round(int(sys.argv[4]) * 1e6 / hz / n, 1) if n and int(sys.argv[3]) else None
d["alloc_bytes_per_request"] = round((int(sys.argv[6]) - int(sys.argv[5])) / n) if n and sys.argv[5] and sys.argv[6] else None
print(json.dumps(d))
PY
}

# The config as shipped (conf/proxy.yaml: SQLite request log with full bodies, metrics on), with only
# what the bench needs set (bench/shipped_config.py): the port, io_threads, data_dir, the client key,
# and the mock as the only provider behind the model "mock".
shipped_config() { # port data_dir file
  python3 bench/shipped_config.py conf/proxy.yaml "$1" "$io_threads" "$2" "$key" "$mock_port" >"$3"
}

# ---- start: time to ready and idle memory, before any load ------------------------------------
# Fresh aigw processes with the shipped config, one at a time: from the launch of scripts/run.sh, and
# from the JVM's own start (process_start_time_seconds), to the first 200 from /health; then 5 s idle
# and the resident memory (VmRSS); then a graceful stop.
if want start; then
  for i in $(seq 1 "${AIGW_BENCH_STARTS:-3}"); do
    log "start $i/${AIGW_BENCH_STARTS:-3}: a fresh aigw, shipped config"
    sport="$(free_port)"
    shipped_config "$sport" "$work/data-start$i" "$work/proxy-start$i.yaml"
    record "$(python3 - "$root/scripts/run.sh" "$work/proxy-start$i.yaml" "$sport" "$work/proxy-start$i.log" <<'PY'
import http.client, json, os, subprocess, sys, time
run_sh, cfg, port, logf = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()
env = dict(os.environ, JAVA_OPTS="-Daigw.bench=true")
t0 = time.monotonic()
p = subprocess.Popen([run_sh, "--config", cfg], stdout=open(logf, "w"), stderr=subprocess.STDOUT, env=env)
ready = None
while time.monotonic() - t0 < 60 and p.poll() is None:
    try:
        if get("/health")[0] == 200:
            ready = time.monotonic(); ready_wall = time.time()
            break
    except OSError:
        pass
    time.sleep(0.005)
d = {"scenario": "start", "target": "aigw-default"}
if ready is not None:
    time.sleep(5)
    rss = next((int(l.split()[1]) for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS:")), None)
    jvm_start = None
    try:
        for l in get("/metrics")[1].splitlines():
            if l.startswith("process_start_time_seconds "):
                jvm_start = float(l.split()[1])
    except OSError:
        pass
    d.update(launch_to_ready_ms=round((ready - t0) * 1000),
             jvm_to_ready_ms=None if jvm_start is None else round((ready_wall - jvm_start) * 1000),
             idle_rss_mb=None if rss is None else round(rss / 1024, 1))
p.terminate()
try:
    p.wait(30)
except subprocess.TimeoutExpired:
    p.kill()
print(json.dumps(d))
PY
)"
  done
  # The bench's own aigw (request log off) has been idle since it started, too.
  record "{\"scenario\": \"idle\", \"target\": \"aigw\", \"idle_rss_mb\": $(awk '/^VmRSS:/{printf "%.1f", $2 / 1024}' "/proc/$proxy_jvm/status")}"
fi

log "warming aigw up (JIT)"
BODY_FILE="$work/small.json" KEY="$key" wrk -t1 -c32 -d"$warm"s -s "$work/post.lua" "${base[aigw]}/v1/chat/completions" >/dev/null
BODY_FILE="$work/small-weighted.json" KEY="$key" wrk -t1 -c32 -d"$warm"s -s "$work/post.lua" "${base[aigw]}/v1/chat/completions" >/dev/null
BODY_FILE="$work/stream.json" KEY="$key" wrk -t1 -c16 -d"$warm"s -s "$work/post.lua" "${base[aigw]}/v1/chat/completions" >/dev/null

if want max; then
for t in "${targets[@]}"; do
  log "non-streaming max throughput: $t"
  record "$(measure "$t" wrk_run small-max "$t" "$work/small.json" 64 "$dur")"
done
fi

# ---- the shipped default config against nginx (issue 19: >= 0.8x nginx's requests/s) -------------
# A second aigw with conf/proxy.yaml as shipped (SQLite request log with full bodies, metrics on),
# warmed like the others, then the small-body max-throughput load in interleaved rounds nginx,
# default, nginx, default, ...: requests/s and CPU per request of each, medians of rounds.
if want default; then
  default_port="$(free_port)"
  shipped_config "$default_port" "$work/data-default" "$work/proxy-default.yaml"
  JAVA_OPTS="-Daigw.bench=true" scripts/run.sh --config "$work/proxy-default.yaml" >"$work/proxy-default.log" 2>&1 &
  default_jvm=$!
  pids+=($default_jvm)
  base[aigw-default]="http://127.0.0.1:$default_port"
  wait_http "${base[aigw-default]}/health"
  log "default config: warming aigw-default up (JIT)"
  BODY_FILE="$work/small.json" KEY="$key" wrk -t1 -c64 -d"$((warm * 4))"s -s "$work/post.lua" \
    "${base[aigw-default]}/v1/chat/completions" >/dev/null
  default_rounds="${AIGW_BENCH_DEFAULT_ROUNDS:-5}"
  for r in $(seq 1 "$default_rounds"); do
    for t in nginx aigw-default; do
      log "default config, round $r/$default_rounds: $t"
      record "$(measure "$t" wrk_run "default-$t" "$t" "$work/small.json" 64 "$dur")"
    done
  done
  # What the request log did meanwhile: rows written, and any it spilled or dropped to keep up.
  record "$(curl -fs -m 5 "${base[aigw-default]}/metrics" | python3 -c '
import json, sys
rows = {}
for l in sys.stdin:
    if l.startswith("aigw_request_log_rows_total{"):
        rows[l.split("outcome=\"")[1].split("\"")[0]] = int(float(l.split()[-1]))
print(json.dumps({"scenario": "default-log", "target": "aigw-default", "rows": rows}))')"
  kill "$default_jvm" 2>/dev/null || true
fi

# Weighted route against a single deployment, aigw only: the same wrk load on `mock` (one deployment)
# and `mock-weighted` (three deployments on three providers), interleaved A, B, A, B so that drift
# on the shared machine hits both alike. The mock's /stats before and after gives the split.
if want route; then
curl -fs -m 5 "http://127.0.0.1:$mock_port/stats" >"$work/stats-before.json" || echo '{}' >"$work/stats-before.json"
for r in $(seq 1 "$route_rounds"); do
  log "weighted route, round $r/$route_rounds: single deployment"
  record "$(cpu_wrk_run route-single aigw "$work/small.json" "$proxy_jvm")"
  log "weighted route, round $r/$route_rounds: 3 weighted deployments"
  record "$(cpu_wrk_run route-weighted aigw "$work/small-weighted.json" "$proxy_jvm")"
done
curl -fs -m 5 "http://127.0.0.1:$mock_port/stats" >"$work/stats-after.json" || echo '{}' >"$work/stats-after.json"
record "$(python3 - "$work/stats-before.json" "$work/stats-after.json" <<'PY'
import json, sys
before, after = (json.load(open(f)).get("requests", {}) for f in sys.argv[1:3])
split = {p: after.get(f"mock;dep={d}", 0) - before.get(f"mock;dep={d}", 0) for p, d in (("mock-a", "a"), ("mock-b", "b"), ("mock-c", "c"))}
print(json.dumps({"scenario": "route-split", "target": "aigw", "split": split}))
PY
)"
fi

# ---- metrics on against off (tracing off): the listener's cost ------------------------------------
# aigw above runs with metrics on (the default) and is scraped once a second, as Prometheus would; a
# second aigw, identical but for `metrics: {enabled: false}`, is loaded alike in interleaved rounds.
if want metrics; then
  metrics_off_port="$(free_port)"
  sed -e "s/port: $proxy_port,/port: $metrics_off_port,/" -e "s|data_dir: $work/data|data_dir: $work/data-nometrics|" \
    "$work/proxy.yaml" >"$work/proxy-nometrics.yaml"
  echo "metrics: {enabled: false}" >>"$work/proxy-nometrics.yaml"
  JAVA_OPTS="-Daigw.bench=true" scripts/run.sh --config "$work/proxy-nometrics.yaml" >"$work/proxy-nometrics.log" 2>&1 &
  metrics_off_jvm=$!
  pids+=($metrics_off_jvm)
  base[aigw-nometrics]="http://127.0.0.1:$metrics_off_port"
  wait_http "${base[aigw-nometrics]}/health"
  # Both warmed alike right before the rounds, with the rounds' 64 connections: a JVM still compiling
  # would be measured as the metrics' cost (or their absence's).
  for t in aigw aigw-nometrics; do
    log "metrics: warming $t up (JIT)"
    BODY_FILE="$work/small.json" KEY="$key" wrk -t1 -c64 -d"$((warm * 4))"s -s "$work/post.lua" \
      "${base[$t]}/v1/chat/completions" >/dev/null
  done
  ( while sleep 1; do curl -fs -m 2 -o /dev/null "${base[aigw]}/metrics" || true; done ) &
  scraper=$!
  pids+=($scraper)
  for r in $(seq 1 "$metrics_rounds"); do
    # Off first in odd rounds, on first in even ones: drift on the shared machine hits both alike.
    if [ $((r % 2)) = 1 ]; then
      log "metrics, round $r/$metrics_rounds: off"
      record "$(cpu_wrk_run metrics-off aigw-nometrics "$work/small.json" "$metrics_off_jvm")"
    fi
    log "metrics, round $r/$metrics_rounds: on (scraped every second)"
    record "$(cpu_wrk_run metrics-on aigw "$work/small.json" "$proxy_jvm")"
    if [ $((r % 2)) = 0 ]; then
      log "metrics, round $r/$metrics_rounds: off"
      record "$(cpu_wrk_run metrics-off aigw-nometrics "$work/small.json" "$metrics_off_jvm")"
    fi
  done
  kill "$scraper" "$metrics_off_jvm" 2>/dev/null || true
fi

# ---- request log: throughput with logging off against PostgreSQL with full bodies -------------
# Three more aigw processes, identical to the one above but for `request_log:` (off / postgres, full
# bodies, in a fresh schema / the same with `durability: wal`, its answers held until their records
# are forced to disk, in a schema of its own), warmed alike and loaded in interleaved rounds with the
# same wrk settings as the max-throughput scenario. Then the pg one is stopped (its writer drains and logs its
# counters) and the rows are counted; then the writer alone, on PostgreSQL, SQLite and no store.
if ! want log; then
  :
elif pg_sql "CREATE SCHEMA ${pg_schema}_proxy; CREATE SCHEMA ${pg_schema}_wal; CREATE SCHEMA ${pg_schema}_writer" 2>"$work/pg.err"; then
  pg_schemas+=("${pg_schema}_proxy" "${pg_schema}_wal" "${pg_schema}_writer")
  pg_jdbc="jdbc:postgresql://$pg_host:$pg_port/$pg_db"
  declare -A log_jvm
  for v in off pg wal; do
    port="$(free_port)"
    base[aigw-log$v]="http://127.0.0.1:$port"
    if [ "$v" = off ]; then
      rl="request_log: {store: off}"
    elif [ "$v" = wal ]; then
      rl="request_log: {store: postgres, bodies: full, durability: wal, spill_dir: $work/data-log$v/spill,
  postgres: {url: \"$pg_jdbc?currentSchema=${pg_schema}_wal\", user: $pg_user}}"
    else
      rl="request_log: {store: postgres, bodies: full, spill_dir: $work/data-log$v/spill,
  postgres: {url: \"$pg_jdbc?currentSchema=${pg_schema}_proxy\", user: $pg_user}}"
    fi
    cat >"$work/proxy-log$v.yaml" <<YAML
server: {host: 127.0.0.1, port: $port, io_threads: $io_threads}
upstream: {max_connections: 20000, max_pending_acquires: 20000, idle_timeout_ms: 120000}
auth: {api_keys: ["$key"]}
data_dir: $work/data-log$v
$rl
providers:
  mock: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
models:
  "mock": {providers: {mock: {}}}
YAML
    JAVA_OPTS="-Daigw.bench=true" scripts/run.sh --config "$work/proxy-log$v.yaml" >"$work/proxy-log$v.log" 2>&1 &
    pids+=($!)
    log_jvm[$v]=$!
    wait_http "${base[aigw-log$v]}/health"
  done
  for v in off pg wal; do
    # Four times the usual warm-up, with the rounds' 64 connections: the logging JVM has the writer's
    # rendering and the driver's code to compile too, and a round still compiling (or recompiling for
    # a connection count it has not seen) would be measured as logging's cost.
    log "request log: warming aigw-log$v up (JIT)"
    BODY_FILE="$work/small.json" KEY="$key" wrk -t1 -c64 -d"$((warm * 4))"s --latency -s "$work/post.lua" \
      "${base[aigw-log$v]}/v1/chat/completions" 2>&1 | python3 "$work/parse_wrk.py" log-warm "aigw-log$v" >>"$results"
  done
  # Two layouts, each in interleaved rounds: every process on every core (the database's CPU is taken
  # from the proxy's), then the database on a core of its own, as in production, where what logging
  # costs the proxy is its own work: capture, rendering, the COPY stream.
  for layout in $log_layouts; do
    suffix=""
    if [ "$layout" = own ]; then
      suffix="-own"
      if ! pin_postgres "${log_jvm[off]}" "${log_jvm[pg]}" "${log_jvm[wal]}" "$mock_pid"; then
        log "request log: cannot give PostgreSQL a core of its own here (one CPU, or no permission); skipped"
        break
      fi
    fi
    for r in $(seq 1 "$log_rounds"); do
      for v in off pg wal; do
        log "request log, $layout cores, round $r/$log_rounds: $v"
        record "$(cpu_wrk_run "log-$v$suffix" "aigw-log$v" "$work/small.json" "${log_jvm[$v]}")"
      done
    done
    [ "$layout" = own ] && unpin_postgres "${log_jvm[off]}" "${log_jvm[pg]}" "${log_jvm[wal]}" "$mock_pid"
  done
  # A graceful stop: the writer drains its queue (and any spill) and logs its counters.
  for v in pg wal off; do
    kill -TERM "${log_jvm[$v]}" 2>/dev/null || true
    wait "${log_jvm[$v]}" 2>/dev/null || true
  done
  stop_line="$(grep -o 'request log: stopped (.*)' "$work/proxy-logpg.log" | tail -1 || true)"
  rows="$(pg_sql "SELECT count(*) || ' ' || count(DISTINCT log_id) || ' ' || count(*) FILTER (WHERE status_code = 200)
                  || ' ' || count(*) FILTER (WHERE status_code <> 200) FROM ${pg_schema}_proxy.request_logs" 2>>"$work/pg.err" || echo "")"
  record "$(python3 - "$stop_line" "$rows" <<'PY'
import json, re, sys
stats = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", sys.argv[1])}
parts = sys.argv[2].split()
rows = dict(zip(("rows", "distinct_log_ids", "rows_200", "rows_other"), map(int, parts))) if len(parts) == 4 else {}
print(json.dumps({"scenario": "log-rows", "target": "aigw-logpg", "writer": stats, **rows}))
PY
)"
  stop_line="$(grep -o 'request log: stopped (.*)' "$work/proxy-logwal.log" | tail -1 || true)"
  record "$(python3 - "$stop_line" <<'PY'
import json, re, sys
print(json.dumps({"scenario": "log-rows", "target": "aigw-logwal", "writer": {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", sys.argv[1])}}))
PY
)"
  for store in postgres sqlite discard; do
    log "request log: writer throughput, $store store, $log_rows rows"
    "$java_bin" -Xms512m -Xmx2g "-Dlogback.configurationFile=$root/conf/logback.xml" -cp "$cp" \
      io.aigw.bench.log.WriterThroughput --store "$store" --rows "$log_rows" --warmup-rows $((log_rows / 10)) \
      --url "$pg_jdbc?currentSchema=${pg_schema}_writer" --user "$pg_user" 2>>"$work/writer.log" \
      | python3 -c "import json,sys; d=json.loads([l for l in sys.stdin if l.startswith('{')][-1]); d.update(scenario='writer', target=d['store']); print(json.dumps(d))" \
      >>"$results" || log "writer throughput on $store failed (see $work/writer.log)"
  done
else
  log "request log scenario skipped: PostgreSQL at $pg_host:$pg_port/$pg_db not usable ($(head -1 "$work/pg.err"))"
fi

# ---- tracing: off against on at 100% sampling ---------------------------------------------------
# Two more aigw processes, identical but for `tracing:`, the traced one exporting every span over
# OTLP/HTTP to a local sink (a Python server that reads each batch and answers 200), warmed alike
# and loaded in interleaved rounds with the max-throughput scenario's wrk settings.
if want trace; then
  trace_rounds="${AIGW_BENCH_TRACE_ROUNDS:-5}"
  sink_port="$(free_port)"
  python3 - "$sink_port" >"$work/otlp-sink.log" 2>&1 <<'PY' &
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    batches = 0
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Sink.batches += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def do_GET(self):
        body = str(Sink.batches).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
  pids+=($!)
  wait_http "http://127.0.0.1:$sink_port/"
  declare -A trace_jvm
  for v in off on; do
    port="$(free_port)"
    base[aigw-trace$v]="http://127.0.0.1:$port"
    tr=""
    [ "$v" = on ] && tr="tracing: {otlp_endpoint: \"http://127.0.0.1:$sink_port/v1/traces\", sample_ratio: 1.0}"
    cat >"$work/proxy-trace$v.yaml" <<YAML
server: {host: 127.0.0.1, port: $port, io_threads: $io_threads}
upstream: {max_connections: 20000, max_pending_acquires: 20000, idle_timeout_ms: 120000}
auth: {api_keys: ["$key"]}
data_dir: $work/data-trace$v
request_log: {store: off}
$tr
providers:
  mock: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
models:
  "mock": {providers: {mock: {}}}
YAML
    JAVA_OPTS="-Daigw.bench=true" scripts/run.sh --config "$work/proxy-trace$v.yaml" >"$work/proxy-trace$v.log" 2>&1 &
    pids+=($!)
    trace_jvm[$v]=$!
    wait_http "${base[aigw-trace$v]}/health"
  done
  for v in off on; do
    log "tracing: warming aigw-trace$v up (JIT)"
    BODY_FILE="$work/small.json" KEY="$key" wrk -t1 -c64 -d"$((warm * 4))"s --latency -s "$work/post.lua" \
      "${base[aigw-trace$v]}/v1/chat/completions" 2>&1 | python3 "$work/parse_wrk.py" trace-warm "aigw-trace$v" >>"$results"
  done
  for r in $(seq 1 "$trace_rounds"); do
    for v in off on; do
      log "tracing, round $r/$trace_rounds: $v"
      record "$(cpu_wrk_run "trace-$v" "aigw-trace$v" "$work/small.json" "${trace_jvm[$v]}")"
    done
  done
  record "{\"scenario\": \"trace-sink\", \"target\": \"sink\", \"batches\": $(curl -s "http://127.0.0.1:$sink_port/" || echo 0)}"
fi

# ---- client keys: a key from the config file against one from the key store (issue 16) ----------
# One aigw with both kinds of key (the key store in its default SQLite database), so the rounds differ
# only in the key presented: the config file's is found in memory, the database's through the cache
# (warm: the warm-up uses it first). Interleaved rounds, config key first in odd rounds.
if want keys; then
  keys_rounds="${AIGW_BENCH_KEYS_ROUNDS:-5}"
  keys_port="$(free_port)"
  admin_key="sk-bench-admin-$(date +%s)"
  cat >"$work/proxy-keys.yaml" <<YAML
server: {host: 127.0.0.1, port: $keys_port, io_threads: $io_threads}
upstream: {max_connections: 20000, max_pending_acquires: 20000, idle_timeout_ms: 120000}
auth: {api_keys: ["$key"], admin_keys: ["$admin_key"]}
data_dir: $work/data-keys
request_log: {store: off}
providers:
  mock: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
models:
  "mock": {providers: {mock: {}}}
YAML
  JAVA_OPTS="-Daigw.bench=true" scripts/run.sh --config "$work/proxy-keys.yaml" >"$work/proxy-keys.log" 2>&1 &
  keys_jvm=$!
  pids+=($keys_jvm)
  base[aigw-keys]="http://127.0.0.1:$keys_port"
  wait_http "${base[aigw-keys]}/health"
  db_key="$(curl -fs -m 10 -X POST -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    -d '{"name":"bench"}' "${base[aigw-keys]}/admin/keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])' 2>/dev/null || true)"
  if [ -z "$db_key" ]; then
    log "keys scenario skipped: POST /admin/keys did not make a key (see $work/proxy-keys.log)"
  else
    config_key="$key"
    for k in "$db_key" "$config_key"; do
      log "keys: warming up (JIT, and the key cache)"
      BODY_FILE="$work/small.json" KEY="$k" wrk -t1 -c64 -d"$((warm * 2))"s -s "$work/post.lua" \
        "${base[aigw-keys]}/v1/chat/completions" >/dev/null
    done
    for r in $(seq 1 "$keys_rounds"); do
      for v in $([ $((r % 2)) = 1 ] && echo "config db" || echo "db config"); do
        log "keys, round $r/$keys_rounds: $v key"
        if [ "$v" = db ]; then key="$db_key"; else key="$config_key"; fi
        record "$(cpu_wrk_run "keys-$v" aigw-keys "$work/small.json" "$keys_jvm")"
      done
    done
    key="$config_key"
  fi
  kill "$keys_jvm" 2>/dev/null || true
fi

# ---- rate limits: none, per-key rpm+tpm in this process, the same in Redis (issue 17) ------------
# Three aigw, identical but for limits: (never reached) per-key rpm and tpm kept locally or in the
# machine's Redis (127.0.0.1:6379, a prefix of this run's own). Interleaved rounds in rotating order;
# CPU per request of aigw and of redis-server beside requests/s.
if want limits; then
  lim_rounds="${AIGW_BENCH_LIMITS_ROUNDS:-5}"
  redis_url="${AIGW_BENCH_REDIS:-redis://127.0.0.1:6379}"
  declare -A lim_jvm
  for v in off local redis; do
    lim_port="$(free_port)"
    case "$v" in
      off) limits="{}" ;;
      local) limits="{key_defaults: {rpm: 100000000, tpm: 10000000000}}" ;;
      redis) limits="{store: redis, redis: {url: \"$redis_url\", prefix: \"{aigw-bench-$$}:\", timeout_ms: 200}, key_defaults: {rpm: 100000000, tpm: 10000000000}}" ;;
    esac
    cat >"$work/proxy-limits-$v.yaml" <<YAML
server: {host: 127.0.0.1, port: $lim_port, io_threads: $io_threads}
upstream: {max_connections: 20000, max_pending_acquires: 20000, idle_timeout_ms: 120000}
auth: {api_keys: ["$key"]}
data_dir: $work/data-limits-$v
keys: {store: off}
request_log: {store: off}
limits: $limits
providers:
  mock: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
models:
  "mock": {providers: {mock: {}}}
YAML
    JAVA_OPTS="-Daigw.bench=true" scripts/run.sh --config "$work/proxy-limits-$v.yaml" >"$work/proxy-limits-$v.log" 2>&1 &
    lim_jvm[$v]=$!
    pids+=(${lim_jvm[$v]})
    base[aigw-limits-$v]="http://127.0.0.1:$lim_port"
  done
  for v in off local redis; do
    wait_http "${base[aigw-limits-$v]}/health"
    log "limits: warming up ($v)"
    BODY_FILE="$work/small.json" KEY="$key" wrk -t1 -c64 -d"$((warm * 2))"s -s "$work/post.lua" \
      "${base[aigw-limits-$v]}/v1/chat/completions" >/dev/null
  done
  orders=("off local redis" "local redis off" "redis off local")
  for r in $(seq 1 "$lim_rounds"); do
    for v in ${orders[$(((r - 1) % 3))]}; do
      log "limits, round $r/$lim_rounds: $v"
      record "$(cpu_wrk_run "limits-$v" "aigw-limits-$v" "$work/small.json" "${lim_jvm[$v]}")"
    done
  done
  for v in off local redis; do kill "${lim_jvm[$v]}" 2>/dev/null || true; done
  redis-cli -u "$redis_url" --scan --pattern "{aigw-bench-$$}:*" 2>/dev/null | xargs -r redis-cli -u "$redis_url" del >/dev/null 2>&1 || true
fi

# ---- this build against a baseline revision: does the change cost the existing path anything? -------
# The baseline is built in a worktree of its own; it and a fresh aigw of this build run the same config on
# ports of their own, warmed alike; rounds alternate which goes first, small chat requests then streams
# (20 chunks), CPU per request beside.
if want baseline; then
  baseline_rev="$(git rev-parse --verify "${AIGW_BENCH_BASELINE:-HEAD~1}^{commit}")"
  baseline_rounds="${AIGW_BENCH_BASELINE_ROUNDS:-5}"
  baseline_tree="$work/baseline"
  log "baseline: building ${baseline_rev:0:12} in $baseline_tree"
  git worktree add --detach "$baseline_tree" "$baseline_rev" >/dev/null 2>&1
  (cd "$baseline_tree" && ./mvnw -q -B -DskipTests -Dspotless.check.skip=true -Djacoco.skip=true -pl proxy-server -am package \
    && touch proxy-server/target/lib/.aigw-built)
  # Two fresh processes with the same history: this build's main aigw has served every scenario before
  # this one (its JIT profile with them), so a new one is started beside the baseline.
  declare -A bl_jvm
  for v in baseline current; do
    bl_port="$(free_port)"
    if [ "${AIGW_BENCH_BASELINE_CONFIG:-bench}" = shipped ]; then
      # Both on conf/proxy.yaml as this build ships it (request log, metrics...): a change to what
      # the bench config leaves off (the request log's capture, say) is measured too.
      shipped_config "$bl_port" "$work/data-$v" "$work/proxy-$v.yaml"
    else
      sed -e "s/port: $proxy_port,/port: $bl_port,/" -e "s|data_dir: $work/data|data_dir: $work/data-$v|" \
        "$work/proxy.yaml" >"$work/proxy-$v.yaml"
    fi
    run_sh=scripts/run.sh
    [ "$v" = baseline ] && run_sh="$baseline_tree/scripts/run.sh"
    JAVA_OPTS="-Daigw.bench=true" "$run_sh" --config "$work/proxy-$v.yaml" >"$work/proxy-$v.log" 2>&1 &
    bl_jvm[$v]=$!
    pids+=(${bl_jvm[$v]})
    base[aigw-$v]="http://127.0.0.1:$bl_port"
  done
  for v in baseline current; do
    wait_http "${base[aigw-$v]}/health"
    log "baseline: warming up ($v)"
    BODY_FILE="$work/small.json" KEY="$key" wrk -t1 -c64 -d"$((warm * 2))"s -s "$work/post.lua" \
      "${base[aigw-$v]}/v1/chat/completions" >/dev/null
    BODY_FILE="$work/stream.json" KEY="$key" wrk -t1 -c64 -d"$warm"s -s "$work/post.lua" \
      "${base[aigw-$v]}/v1/chat/completions" >/dev/null
  done
  for r in $(seq 1 "$baseline_rounds"); do
    for v in $([ $((r % 2)) = 1 ] && echo "baseline current" || echo "current baseline"); do
      log "baseline, round $r/$baseline_rounds: $v"
      record "$(cpu_wrk_run "baseline-small-$v" "aigw-$v" "$work/small.json" "${bl_jvm[$v]}")"
      record "$(cpu_wrk_run "baseline-stream-$v" "aigw-$v" "$work/stream.json" "${bl_jvm[$v]}")"
    done
  done
  for v in baseline current; do kill "${bl_jvm[$v]}" 2>/dev/null || true; done
fi

if want big; then
for t in "${targets[@]}"; do
  log "100 KB prompt body: $t"
  record "$(measure "$t" wrk_run big-body "$t" "$work/big.json" 16 "$dur")"
done
fi
if want rate; then
for rate in 1000 5000; do
  for t in "${targets[@]}"; do
    log "fixed rate $rate/s: $t"
    record "$(driver "rate-$rate" "$t" "$work/small.json" --mode rate --rate "$rate" --duration "$dur" --warmup "$warm" --connections 64)"
  done
done
fi
if want stream; then
for t in "${targets[@]}"; do
  log "streaming, 20 chunks: $t"
  record "$(measure "$t" driver stream "$t" "$work/stream.json" --mode stream --connections 32 --duration "$dur" --warmup "$warm" --expect-chunks 21)"
done
fi

# The mock sends `chunks` content events plus a finish event; the usage chunk aigw asks for is not
# passed on, so every target delivers the same count.
# Held streams: aigw's resident memory and heap are sampled while they are all open.
sample_proxy() {
  local peak_rss=0 peak_heap=0 rss heap
  while kill -0 "$1" 2>/dev/null; do
    rss="$(ps -o rss= -p "$proxy_jvm" 2>/dev/null | tr -d ' ' || echo 0)"
    heap="$(jcmd "$proxy_jvm" GC.heap_info 2>/dev/null | sed -n 's/.*total [0-9]*K, used \([0-9]*\)K.*/\1/p' | head -1)"
    [ -n "$rss" ] && [ "$rss" -gt "$peak_rss" ] && peak_rss="$rss"
    [ -n "$heap" ] && [ "$heap" -gt "$peak_heap" ] && peak_heap="$heap"
    sleep 1
  done
  echo "{\"scenario\":\"hold-memory\",\"target\":\"aigw\",\"peak_rss_mb\":$((peak_rss / 1024)),\"peak_heap_mb\":$((peak_heap / 1024))}"
}
if want hold; then
for t in "${targets[@]}"; do
  log "$streams held streams, one chunk a second for $hold_chunks s: $t"
  driver hold "$t" "$work/hold.json" --mode hold --streams "$streams" --ramp-per-s 2000 \
    --expect-chunks $((hold_chunks + 1)) --timeout $((hold_chunks + 60)) >"$work/hold-$t.json" &
  dpid=$!
  if [ "$t" = aigw ]; then
    sample_proxy "$dpid" >"$work/hold-memory.json" &
    spid=$!
  fi
  wait "$dpid" || true
  if [ "$t" = aigw ]; then
    wait "$spid" || true
    record "$(cat "$work/hold-memory.json")"
  fi
  record "$(cat "$work/hold-$t.json")"
done
fi

# ---- the table ---------------------------------------------------------------------------------
python3 - "$results" "$streams" "$io_threads" "$dur" <<'PY'
import json, os, sys, subprocess, platform
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
streams, io_threads, dur = sys.argv[2], sys.argv[3], sys.argv[4]
R = {(r["scenario"], r["target"]): r for r in rows}
def g(s, t, k):
    v = R.get((s, t), {}).get(k)
    return v
def f(v, d=0):
    return "–" if v is None else (f"{v:,.{d}f}")
def ratio(a, b):
    return "–" if not a or not b else f"{a / b:.2f}"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
print(f"\n### aigw benchmark — {subprocess.run(['date','-u','+%Y-%m-%d %H:%M UTC'],capture_output=True,text=True).stdout.strip()}")
print(f"\nMachine: {subprocess.run(['nproc'],capture_output=True,text=True).stdout.strip()} cores ({cpu}), {java}; "
      f"aigw io_threads={io_threads}, nginx worker_processes=1; mock, driver and targets share the machine. "
      f"Phases of {dur} s.\n")
def cpu_rows(s, per):
    """CPU µs per request of nginx (master and worker) and aigw (every thread) over the phase, their
    ratio (issue 19: aigw's ≤ nginx's), and aigw's heap bytes allocated per request."""
    n, a = g(s, "nginx", "proc_cpu_us"), g(s, "aigw", "proc_cpu_us")
    print(f"| | CPU µs per {per} (nginx: master + worker; aigw: every thread; target: ratio ≤ 1.0) | | {f(n, 1)} | {f(a, 1)} | {ratio(a, n)} | |")
    print(f"| | aigw heap bytes allocated per {per} | | | {f(g(s, 'aigw', 'alloc_bytes_per_request'))} | | |")
print("| scenario | metric | direct (mock) | nginx | aigw | aigw / nginx | aigw / direct |")
print("|---|---|---:|---:|---:|---:|---:|")
for s, label in (("small-max", "non-streaming chat, small body, max throughput (wrk -c64)"),
                 ("big-body", "100 KB prompt body (wrk -c16)")):
    d, n, a = (g(s, t, "rps") for t in ("direct", "nginx", "aigw"))
    print(f"| {label} | requests/s | {f(d)} | {f(n)} | {f(a)} | {ratio(a, n)} | {ratio(a, d)} |")
    for p in ("p50_ms", "p99_ms"):
        print(f"| | latency {p[:3]} (ms) | {f(g(s,'direct',p),3)} | {f(g(s,'nginx',p),3)} | {f(g(s,'aigw',p),3)} | | |")
    print(f"| | errors | {f(g(s,'direct','errors'))} | {f(g(s,'nginx','errors'))} | {f(g(s,'aigw','errors'))} | | |")
    cpu_rows(s, "request")
for rate in ("1000", "5000"):
    s = f"rate-{rate}"
    print(f"| fixed rate {rate}/s (open loop, corrected for coordinated omission) | achieved requests/s | "
          f"{f(g(s,'direct','achieved_rps'))} | {f(g(s,'nginx','achieved_rps'))} | {f(g(s,'aigw','achieved_rps'))} | | |")
    for p in ("p50_us", "p99_us", "p999_us"):
        d, n, a = (g(s, t, p) for t in ("direct", "nginx", "aigw"))
        added_a = None if a is None or d is None else (a - d) / 1000
        added_n = None if n is None or d is None else (n - d) / 1000
        print(f"| | {p[:-3].replace('p999','p99.9')} (ms); added over direct: nginx {f(added_n,3)}, aigw {f(added_a,3)} | "
              f"{f(d/1000 if d else None,3)} | {f(n/1000 if n else None,3)} | {f(a/1000 if a else None,3)} | | |")
    print(f"| | errors | {f(g(s,'direct','errors'))} | {f(g(s,'nginx','errors'))} | {f(g(s,'aigw','errors'))} | | |")
s = "stream"
d, n, a = (g(s, t, "streams_per_s") for t in ("direct", "nginx", "aigw"))
print(f"| streaming chat, 20 chunks (32 concurrent) | streams/s | {f(d)} | {f(n)} | {f(a)} | {ratio(a, n)} | {ratio(a, d)} |")
for p in ("ttfc_p50_us", "ttfc_p99_us"):
    print(f"| | time to first chunk {p[5:8]} (ms) | " + " | ".join(f(g(s,t,p)/1000 if g(s,t,p) is not None else None,3) for t in ("direct","nginx","aigw")) + " | | |")
print(f"| | bad streams / errors | " + " | ".join(f"{f(g(s,t,'bad_streams'))} / {f(g(s,t,'errors'))}" for t in ("direct","nginx","aigw")) + " | | |")
cpu_rows(s, "stream")
s = "hold"
print(f"| {streams} concurrent slow streams (1 chunk/s) | completed | " + " | ".join(f(g(s,t,'completed')) for t in ("direct","nginx","aigw")) + " | | |")
print(f"| | chunks received / expected | " + " | ".join(f"{f(g(s,t,'chunks_received'))} / {f(g(s,t,'chunks_expected'))}" for t in ("direct","nginx","aigw")) + " | | |")
print(f"| | peak concurrent | " + " | ".join(f(g(s,t,'peak_concurrent')) for t in ("direct","nginx","aigw")) + " | | |")
print(f"| | aigw peak resident memory / heap used (MB) | | | {f(g('hold-memory','aigw','peak_rss_mb'))} / {f(g('hold-memory','aigw','peak_heap_mb'))} | | |")

def median(v):
    v = sorted(v)
    return None if not v else (v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2)
def med(rs, k):
    return median([r[k] for r in rs if r.get(k) is not None])

# The shipped default config against nginx, interleaved rounds (issue 19).
d_ng = [r for r in rows if r["scenario"] == "default-nginx"]
d_ai = [r for r in rows if r["scenario"] == "default-aigw-default"]
if d_ng and d_ai:
    print(f"\n#### The shipped default config against nginx (conf/proxy.yaml: SQLite request log, full bodies, metrics on; "
          f"wrk -c64, {len(d_ng)} interleaved rounds of {dur} s each, nginx first)\n")
    print("| metric | nginx | aigw, shipped config | aigw / nginx |")
    print("|---|---:|---:|---:|")
    n_rps, a_rps = med(d_ng, "rps"), med(d_ai, "rps")
    print(f"| requests/s, median of rounds (target: ratio ≥ 0.80) | {f(n_rps)} | {f(a_rps)} | {ratio(a_rps, n_rps)} |")
    paired = median([a["rps"] / n["rps"] for n, a in zip(d_ng, d_ai) if n.get("rps") and a.get("rps")])
    print(f"| requests/s per round | {' · '.join(f(r['rps']) for r in d_ng)} | {' · '.join(f(r['rps']) for r in d_ai)} | "
          f"{' · '.join(ratio(a['rps'], n['rps']) for n, a in zip(d_ng, d_ai))}; median {'–' if paired is None else f'{paired:.2f}'} |")
    for p in ("p50_ms", "p99_ms"):
        print(f"| latency {p[:3]} (ms), median of rounds | {f(med(d_ng, p), 3)} | {f(med(d_ai, p), 3)} | |")
    nc, ac = med(d_ng, "proc_cpu_us"), med(d_ai, "proc_cpu_us")
    print(f"| CPU µs per request (nginx: master + worker; aigw: every thread), median of rounds | {f(nc, 1)} | {f(ac, 1)} | {ratio(ac, nc)} |")
    print(f"| aigw heap bytes allocated per request, median of rounds | | {f(med(d_ai, 'alloc_bytes_per_request'))} | |")
    print(f"| errors | {f(sum(r['errors'] for r in d_ng))} | {f(sum(r['errors'] for r in d_ai))} | |")
    lr = R.get(("default-log", "aigw-default"), {}).get("rows", {})
    if lr:
        print(f"| request log rows at the end: written / spilled / dropped (its /metrics; warm-up included) | | "
              f"{f(lr.get('written'))} / {f(lr.get('spilled'))} / {f(lr.get('dropped'))} | |")

# Start and idle memory (issue 19), before any load.
starts = [r for r in rows if r["scenario"] == "start"]
if starts:
    print(f"\n#### Start and idle memory ({len(starts)} fresh aigw processes, shipped config, one at a time, before any load)\n")
    print("| metric | each start | median |")
    print("|---|---:|---:|")
    for k, label in (("jvm_to_ready_ms", "JVM start (process_start_time_seconds) to the first 200 from /health (ms; target < 1,000)"),
                     ("launch_to_ready_ms", "launch of scripts/run.sh to the first 200 from /health (ms)"),
                     ("idle_rss_mb", "resident memory (VmRSS) after 5 s idle (MB; target < 80)")):
        print(f"| {label} | {' · '.join(f(r.get(k), 1 if k == 'idle_rss_mb' else 0) for r in starts)} | {f(med(starts, k), 1 if k == 'idle_rss_mb' else 0)} |")
    idle = R.get(("idle", "aigw"), {}).get("idle_rss_mb")
    if idle is not None:
        print(f"| resident memory of the bench's own aigw (request log off), idle since its start | {f(idle, 1)} | |")

# Weighted route against a single deployment (aigw only), from interleaved rounds.
single = [r for r in rows if r["scenario"] == "route-single"]
weighted = [r for r in rows if r["scenario"] == "route-weighted"]
def cpu(runs, who):
    return median([r["cpu_us_per_request"][who] for r in runs
                   if r.get("cpu_us_per_request", {}).get(who) is not None])
if single and weighted:
    s_rps, w_rps = med(single, "rps"), med(weighted, "rps")
    met = "–" if not s_rps or not w_rps else ("yes" if w_rps / s_rps >= 0.95 else "**no**")
    print(f"\n#### Weighted route against a single deployment (aigw, wrk -c64, {len(single)} interleaved rounds of {dur} s each)\n")
    print("| metric | single deployment (`mock`) | 3 deployments, weights 5/3/2, three providers (`mock-weighted`) | weighted / single |")
    print("|---|---:|---:|---:|")
    print(f"| requests/s, median of rounds (target: ratio ≥ 0.95) | {f(s_rps)} | {f(w_rps)} | {ratio(w_rps, s_rps)} (met: {met}) |")
    paired_med = median([w["rps"] / s["rps"] for s, w in zip(single, weighted) if s.get("rps") and w.get("rps")])
    print(f"| requests/s per round (A, B, A, B, ...) | {' · '.join(f(r['rps']) for r in single)} | {' · '.join(f(r['rps']) for r in weighted)} | "
          f"{' · '.join(ratio(w['rps'], s['rps']) for s, w in zip(single, weighted))}; median {'–' if paired_med is None else f'{paired_med:.2f}'} |")
    for p in ("p50_ms", "p99_ms"):
        print(f"| latency {p[:3]} (ms), median of rounds | {f(med(single, p), 3)} | {f(med(weighted, p), 3)} | |")
    print(f"| errors | {f(sum(r['errors'] for r in single))} | {f(sum(r['errors'] for r in weighted))} | |")
    cs, cw = cpu(single, "aigw"), cpu(weighted, "aigw")
    if cs and cw:
        print(f"| aigw CPU µs per request (every thread), median of rounds | {f(cs, 1)} | {f(cw, 1)} | "
              f"{cs / cw:.2f} (single / weighted: the throughput this costs on a saturated event loop) |")
    split = R.get(("route-split", "aigw"), {}).get("split", {})
    total = sum(split.values())
    if total:
        shares = [100 * split.get(p, 0) / total for p in ("mock-a", "mock-b", "mock-c")]
        ok = all(abs(s - e) <= 1.0 for s, e in zip(shares, (50, 30, 20)))
        print(f"| split mock-a / mock-b / mock-c, counted by the mock (expected 50 / 30 / 20 %) | | "
              f"{' / '.join(f'{s:.1f}' for s in shares)} % of {f(total)} requests | within 1 point: {'yes' if ok else '**no**'} |")
# Metrics on against off (aigw only, tracing off), from interleaved rounds.
def ab_table(title, context, names, base, new, target, rounds_note="", cpu_note="every thread", after=""):
    """An interleaved A/B scenario: medians of rounds and their ratio against the target, each
    round's ratio (paired, so the machine's drift hits both sides alike), latency, CPU, errors."""
    b_rps, n_rps = med(base, "rps"), med(new, "rps")
    met = "–" if not b_rps or not n_rps else ("yes" if n_rps / b_rps >= target else "**no**")
    print(f"\n#### {title} ({context}, {len(base)} interleaved rounds of {dur} s each{after})\n")
    print(f"| metric | {names[0]} | {names[1]} | {names[2]} |")
    print("|---|---:|---:|---:|")
    print(f"| requests/s, median of rounds (target: ratio ≥ {target:.2f}) | {f(b_rps)} | {f(n_rps)} | {ratio(n_rps, b_rps)} (met: {met}) |")
    paired = median([n["rps"] / o["rps"] for o, n in zip(base, new) if o.get("rps") and n.get("rps")])
    print(f"| requests/s per round{rounds_note} | {' · '.join(f(r['rps']) for r in base)} | {' · '.join(f(r['rps']) for r in new)} | "
          f"{' · '.join(ratio(n['rps'], o['rps']) for o, n in zip(base, new))}; median {'–' if paired is None else f'{paired:.2f}'} |")
    for p in ("p50_ms", "p99_ms"):
        print(f"| latency {p[:3]} (ms), median of rounds | {f(med(base, p), 3)} | {f(med(new, p), 3)} | |")
    co, cn = cpu(base, "aigw"), cpu(new, "aigw")
    if co and cn:
        print(f"| aigw CPU µs per request ({cpu_note}), median of rounds | {f(co, 1)} | {f(cn, 1)} | {cn / co:.2f} |")
    print(f"| errors | {f(sum(r['errors'] for r in base))} | {f(sum(r['errors'] for r in new))} | |")


m_on = [r for r in rows if r["scenario"] == "metrics-on"]
m_off = [r for r in rows if r["scenario"] == "metrics-off"]
if m_on and m_off:
    ab_table("Metrics on against off, tracing off", "aigw, wrk -c64", ("metrics off", "metrics on", "on / off"),
             m_off, m_on, 0.97, " (off first in odd rounds)", after="; on is scraped every second")
# Request log: PostgreSQL store with full bodies against off (aigw only), from interleaved rounds, in
# two layouts: every process on every core, then PostgreSQL on a core of its own (the target's).
def log_table(log_off, log_pg, title, target, own):
    o_rps, p_rps = med(log_off, "rps"), med(log_pg, "rps")
    met = "–" if not o_rps or not p_rps else ("yes" if p_rps / o_rps >= 0.85 else "**no**")
    print(f"\n#### Request log: PostgreSQL, full bodies, against off: {title} (aigw, wrk -c64, {len(log_off)} interleaved rounds of {dur} s each)\n")
    print("| metric | `request_log: {store: off}` | `{store: postgres, bodies: full}` | pg / off |")
    print("|---|---:|---:|---:|")
    print(f"| requests/s, median of rounds ({target}) | {f(o_rps)} | {f(p_rps)} | {ratio(p_rps, o_rps)}"
          f"{f' (met: {met})' if own else ''} |")
    paired = median([p["rps"] / o["rps"] for o, p in zip(log_off, log_pg) if o.get("rps") and p.get("rps")])
    print(f"| requests/s per round (off, pg, off, pg, ...) | {' · '.join(f(r['rps']) for r in log_off)} | {' · '.join(f(r['rps']) for r in log_pg)} | "
          f"{' · '.join(ratio(p['rps'], o['rps']) for o, p in zip(log_off, log_pg))}; median {'–' if paired is None else f'{paired:.2f}'} |")
    for p in ("p50_ms", "p99_ms"):
        print(f"| latency {p[:3]} (ms), median of rounds | {f(med(log_off, p), 3)} | {f(med(log_pg, p), 3)} | |")
    print(f"| errors | {f(sum(r['errors'] for r in log_off))} | {f(sum(r['errors'] for r in log_pg))} | |")
    if cpu(log_off, "machine") is not None:
        for who, label in (("aigw", "aigw (every thread: event loop, log writer and inserter, JIT, GC)"),
                           ("postgres", "PostgreSQL server (every process)"), ("mock", "mock provider"),
                           ("machine", "whole machine (both cores, wrk and the kernel included)")):
            o, p = cpu(log_off, who), cpu(log_pg, who)
            print(f"| CPU µs per request, median of rounds: {label} | {f(o, 1)} | {f(p, 1)} | "
                  f"{'' if o is None or p is None else f'{p - o:+.1f} µs'} |")
        mo, mp, pp = cpu(log_off, "machine"), cpu(log_pg, "machine"), cpu(log_pg, "postgres")
        if mo and mp and pp is not None:
            print(f"| the machine's CPU per request without the PostgreSQL server's | {f(mo, 1)} | "
                  f"{f(mp - pp, 1)} | ratio off / pg: {mo / (mp - pp):.2f} |")
log_off = [r for r in rows if r["scenario"] == "log-off"]
log_pg = [r for r in rows if r["scenario"] == "log-pg"]
if log_off and log_pg:
    log_table(log_off, log_pg, "every process on both cores", "the database's own CPU taken from the proxy's cores", False)
    own_off = [r for r in rows if r["scenario"] == "log-off-own"]
    own_pg = [r for r in rows if r["scenario"] == "log-pg-own"]
    if own_off and own_pg:
        log_table(own_off, own_pg, "PostgreSQL on a core of its own, aigw, the mock and wrk on the other",
                  "target: ratio ≥ 0.85, logging costs under 15%", True)
    else:
        print("\n(The rounds with PostgreSQL on a core of its own did not run: one CPU, or no permission to set affinity.)")
    pg_runs = [r for r in rows if r["target"] == "aigw-logpg" and r["scenario"] in ("log-warm", "log-pg", "log-pg-own")]
    answered = sum(r.get("answered_2xx") or 0 for r in pg_runs)
    lr = R.get(("log-rows", "aigw-logpg"), {})
    w = lr.get("writer", {})
    n = lr.get("rows")
    print("\n| every round's rows (both layouts) | | `{store: postgres, bodies: full}` | |")
    print("|---|---:|---:|---:|")
    if n is not None:
        stored = w.get("written", 0) + w.get("replayed", 0)
        slack = 64 * len(pg_runs)
        ok = n == stored and w.get("dropped", 1) == 0 and lr.get("distinct_log_ids") == n and 0 <= n - answered <= slack
        print(f"| rows in PostgreSQL after a graceful stop | | {f(n)} ({f(lr.get('rows_200'))} with status 200, "
              f"{f(lr.get('rows_other'))} other; {f(lr.get('distinct_log_ids'))} distinct log ids) | |")
        print(f"| requests aigw answered with logging on (wrk's count, 2xx, warm-up included) | | {f(answered)} | "
              f"rows − answered = {f(n - answered)}: requests in flight when a wrk run stopped (at most 64 × {len(pg_runs)} runs) |")
        print(f"| the writer's counters at stop | | queued {f(w.get('queued'))}, written {f(w.get('written'))}, spilled {f(w.get('spilled'))}, "
              f"replayed {f(w.get('replayed'))}, dropped {f(w.get('dropped'))} | rows = written + replayed, none dropped: "
              f"{'yes' if ok else '**no**'} |")
    else:
        print("| rows in PostgreSQL after a graceful stop | | – (no count; see pg.err) | |")
# durability: wal against the default (batch), both PostgreSQL with full bodies, same rounds.
for suffix, title in (("", "every process on both cores"), ("-own", "PostgreSQL on a core of its own")):
    b, w = [r for r in rows if r["scenario"] == "log-pg" + suffix], [r for r in rows if r["scenario"] == "log-wal" + suffix]
    if not b or not w:
        continue
    print(f"\n#### Request log: `durability: wal` against `batch` (PostgreSQL, full bodies): {title} "
          f"(aigw, wrk -c64, {len(b)} interleaved rounds of {dur} s each)\n")
    print("| metric | `durability: batch` | `durability: wal` | wal / batch |")
    print("|---|---:|---:|---:|")
    print(f"| requests/s, median of rounds | {f(med(b, 'rps'))} | {f(med(w, 'rps'))} | {ratio(med(w, 'rps'), med(b, 'rps'))} |")
    print(f"| requests/s per round | {' · '.join(f(r['rps']) for r in b)} | {' · '.join(f(r['rps']) for r in w)} | |")
    for p in ("p50_ms", "p99_ms"):
        print(f"| latency {p[:3]} (ms), median of rounds | {f(med(b, p), 3)} | {f(med(w, p), 3)} | |")
    cb, cw = cpu(b, "aigw"), cpu(w, "aigw")
    if cb and cw:
        print(f"| aigw CPU µs per request (every thread), median of rounds | {f(cb, 1)} | {f(cw, 1)} | {cw / cb:.2f} |")
    print(f"| errors | {f(sum(r['errors'] for r in b))} | {f(sum(r['errors'] for r in w))} | |")
ww = R.get(("log-rows", "aigw-logwal"), {}).get("writer", {})
if ww.get("wal_commits"):
    print(f"| group commits (one fsync each) at stop | | {f(ww['wal_commits'])} for {f(ww.get('wal_rows'))} rows "
          f"({ww.get('wal_rows', 0) / ww['wal_commits']:.1f} a commit); failed {f(ww.get('wal_failed'))} | |")
# Tracing: on at 100% sampling (OTLP/HTTP to a local sink) against off, from interleaved rounds.
tr_off = [r for r in rows if r["scenario"] == "trace-off"]
tr_on = [r for r in rows if r["scenario"] == "trace-on"]
if tr_off and tr_on:
    ab_table("Tracing: on at 100% sampling against off", "aigw, wrk -c64", ("tracing off", "`tracing: {sample_ratio: 1.0}`", "on / off"),
             tr_off, tr_on, 0.90, cpu_note="every thread: event loop, span export, JIT, GC")
    sink = R.get(("trace-sink", "sink"), {})
    if sink:
        print(f"| OTLP batches the sink received | | {f(sink.get('batches'))} | |")
# Client keys: config file against key store, same aigw, interleaved rounds.
k_cfg = [r for r in rows if r["scenario"] == "keys-config"]
k_db = [r for r in rows if r["scenario"] == "keys-db"]
if k_cfg and k_db:
    ab_table("Client keys: key store (cache warm) against the config file", "one aigw, wrk -c64", ("config-file key", "key-store key", "store / config"),
             k_cfg, k_db, 0.98, " (config key first in odd rounds)")
# Rate limits: none against per-key rpm+tpm, locally and in Redis, same rounds.
l_off = [r for r in rows if r["scenario"] == "limits-off"]
for v, target, name in (("local", 0.97, "`key_defaults: {rpm, tpm}` in this process"),
                        ("redis", 0.90, "the same in Redis (`store: redis`)")):
    l_on = [r for r in rows if r["scenario"] == f"limits-{v}"]
    if l_off and l_on:
        ab_table(f"Rate limits: per-key rpm+tpm, {v}, against none", "aigw, wrk -c64",
                 ("no limits", name, f"{v} / none"), l_off, l_on, target, " (order rotates each round)")
        ro, rn = cpu(l_off, "redis"), cpu(l_on, "redis")
        if rn is not None:
            print(f"| redis-server CPU µs per request, median of rounds | {f(ro, 1)} | {f(rn, 1)} | |")
# This build against the baseline revision, same config, interleaved rounds.
for kind, what in (("small", "small chat requests"), ("stream", "streams of 20 chunks")):
    b_old = [r for r in rows if r["scenario"] == f"baseline-{kind}-baseline"]
    b_new = [r for r in rows if r["scenario"] == f"baseline-{kind}-current"]
    if b_old and b_new:
        conf = " (the shipped config)" if os.environ.get("AIGW_BENCH_BASELINE_CONFIG") == "shipped" else ""
        ab_table(f"This build against the baseline revision{conf}: {what}", "aigw, wrk -c64",
                 ("baseline", "this build", "this / baseline"), b_old, b_new, 0.97, " (baseline first in odd rounds)")
writer = [r for r in rows if r["scenario"] == "writer"]
if writer:
    wr = writer[0]
    print(f"\n#### Request-log writer on its own ({f(wr['rows'])} rows after {f(wr['rows'] // 10)} of warm-up; a third streamed: "
          f"{wr['request_bytes']} B request, {wr['response_bytes']} B response or {wr['sse_bytes']} B of SSE in 32 data events; "
          f"batches of {wr['batch_size']}, every built-in redaction rule)\n")
    print("| store | rows/s (first offer to last row written) | CPU µs per row: writer thread / inserter thread | seconds | batches | spilled / dropped |")
    print("|---|---:|---:|---:|---:|---:|")
    names = {"postgres": "PostgreSQL (same machine)", "sqlite": "SQLite (WAL, synchronous=NORMAL)", "discard": "none: queue and rendering only"}
    for r in writer:
        print(f"| {names.get(r['store'], r['store'])} | {f(r['rows_per_s'])} | {r.get('writer_cpu_us_per_row', '–')} / "
              f"{r.get('inserter_cpu_us_per_row', '–')} | {r['seconds']:.2f} | {f(r['batches'])} | {f(r['spilled'])} / {f(r['dropped'])} |")

# Against the issue-19 targets: each target, the figure of this run, met or not ("–": not measured).
def met(ok):
    return "–" if ok is None else ("yes" if ok else "**no**")
def rat(a, b):
    return None if not a or not b else a / b
def both(x, y, fn):
    return None if x is None or y is None else fn(x, y)
targets19 = []
sm_n, sm_a = g("small-max", "nginx", "proc_cpu_us"), g("small-max", "aigw", "proc_cpu_us")
r = rat(sm_a, sm_n)
targets19.append(("CPU per small non-streaming request ≤ nginx's: ratio ≤ 1.0 (metrics on)",
                  "–" if r is None else f"{r:.2f} ({f(sm_a, 1)} µs against {f(sm_n, 1)} µs)", met(both(r, 1, lambda a, b: a <= b))))
for s, label, key, per in (("small-max", "small non-streaming requests/s ≥ 1.0× nginx (metrics on)", "rps", "request"),
                           ("stream", "streams/s ≥ 1.0× nginx (20 chunks)", "streams_per_s", "stream"),
                           ("big-body", "100 KB bodies, requests/s ≥ 1.0× nginx", "rps", "request")):
    r = rat(g(s, "aigw", key), g(s, "nginx", key))
    c = rat(g(s, "aigw", "proc_cpu_us"), g(s, "nginx", "proc_cpu_us"))
    targets19.append((label, "–" if r is None else f"{r:.2f} ({f(g(s, 'aigw', key))} against {f(g(s, 'nginx', key))}); "
                      f"CPU per {per} {'–' if c is None else f'{c:.2f}'}× nginx's", met(both(r, 1, lambda a, b: a >= b))))
d_ng = [x for x in rows if x["scenario"] == "default-nginx"]
d_ai = [x for x in rows if x["scenario"] == "default-aigw-default"]
r = rat(med(d_ai, "rps"), med(d_ng, "rps"))
c = rat(med(d_ai, "proc_cpu_us"), med(d_ng, "proc_cpu_us"))
targets19.append(("shipped default config (SQLite request log, full bodies, metrics): requests/s ≥ 0.8× nginx",
                  "–" if r is None else f"{r:.2f} ({f(med(d_ai, 'rps'))} against {f(med(d_ng, 'rps'))}, medians of {len(d_ai)} rounds); "
                  f"CPU per request {'–' if c is None else f'{c:.2f}'}× nginx's", met(both(r, 0.8, lambda a, b: a >= b))))
a50, d50, a99, d99 = (g("rate-5000", t, p) for p in ("p50_us", "p99_us") for t in ("aigw", "direct"))
add50 = both(a50, d50, lambda a, d: (a - d) / 1000)
add99 = both(a99, d99, lambda a, d: (a - d) / 1000)
targets19.append(("added latency at 5,000 requests/s: p50 < 0.1 ms, p99 < 0.5 ms",
                  f"p50 {'–' if add50 is None else f'{add50:+.3f}'} ms, p99 {'–' if add99 is None else f'{add99:+.3f}'} ms",
                  met(None if add50 is None or add99 is None else add50 < 0.1 and add99 < 0.5)))
rss, held, done = g("hold-memory", "aigw", "peak_rss_mb"), g("hold", "aigw", "streams"), g("hold", "aigw", "completed")
targets19.append(("10,000 concurrent streams under 300 MB resident",
                  f"{f(held)} streams ({f(done)} completed), peak {f(rss)} MB",
                  met(None if rss is None else rss < 300 and done == held) + ("" if held in (None, 10000) else f", at {f(held)}")))
idle = med(starts, "idle_rss_mb")
targets19.append(("idle resident memory under 80 MB (shipped config, 5 s after start)", f"{f(idle, 1)} MB, median of {len(starts)}",
                  met(None if idle is None else idle < 80)))
ready = med(starts, "jvm_to_ready_ms")
targets19.append(("ready to serve within 1 s of start (JVM start to the first 200 from /health)",
                  f"{f(ready)} ms, median of {len(starts)} ({f(med(starts, 'launch_to_ready_ms'))} ms from the launch of scripts/run.sh)",
                  met(None if ready is None else ready < 1000)))
targets19.append(("steady-state allocation per request close to zero outside pooled buffers (no figure set)",
                  f"{f(g('small-max', 'aigw', 'alloc_bytes_per_request'))} B per small request, "
                  f"{f(g('stream', 'aigw', 'alloc_bytes_per_request'))} B per stream, "
                  f"{f(g('big-body', 'aigw', 'alloc_bytes_per_request'))} B per 100 KB request", "–"))
print("\n#### Against the issue-19 targets\n")
print("| target | this run | met |")
print("|---|---|---|")
for t, v, m in targets19:
    print(f"| {t} | {v} | {m} |")
PY
log "raw results: $results (logs in $work)"
