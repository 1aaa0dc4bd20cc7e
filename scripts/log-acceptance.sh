#!/usr/bin/env bash
# Request-log acceptance (issue 6), on this machine's PostgreSQL, in about three minutes:
#   scripts/log-acceptance.sh
# Starts the mock provider and aigw with `request_log: {store: postgres, bodies: full}` reaching the
# database through a TCP forwarder (socat) that it can cut; sends 10,000 chat requests at a constant
# rate, every third one streamed, each with its own x-request-id; cuts the database link for 30 s in
# the middle of the run and restores it; then checks that the table holds exactly one row per
# request, that streamed rows carry the mock's usage, that no client saw an error, and compares
# client latency before, during and after the outage. Prints a PASS/FAIL report; stops everything
# it started and drops its schema.
# Environment: AIGW_ACC_REQUESTS (10000), AIGW_ACC_RATE (requests/s, 125), AIGW_ACC_CUT_AFTER_S (30),
# AIGW_ACC_OUTAGE_S (30), AIGW_ACC_WARMUP (requests before the measured run, 3000; their ids start
# with warm- and they are reported apart), AIGW_BENCH_PG_HOST/PORT/DB/USER as for scripts/bench.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

requests="${AIGW_ACC_REQUESTS:-10000}"
rate="${AIGW_ACC_RATE:-125}"
cut_after="${AIGW_ACC_CUT_AFTER_S:-30}"
outage="${AIGW_ACC_OUTAGE_S:-30}"
warm_requests="${AIGW_ACC_WARMUP:-3000}"
pg_host="${AIGW_BENCH_PG_HOST:-127.0.0.1}"; pg_port="${AIGW_BENCH_PG_PORT:-5432}"
pg_db="${AIGW_BENCH_PG_DB:-postgres}"; pg_user="${AIGW_BENCH_PG_USER:-postgres}"
schema="aigw_acc_$(date +%s)_$$"
# The mock's usage (prompt 10, completion size/4): plain answers are 100 characters, streams 240.
plain_model="mock"; plain_usage="10 25 35"
stream_model="mock;chunks=20;size=240"; stream_usage="10 60 70"
# 20 content events, the finish event and [DONE] (the usage chunk aigw asks for is not passed on).
stream_events=22

work="$(mktemp -d /tmp/aigw-logacc.XXXXXX)"
pids=()
fwd_pid=""
schema_made=0
log() { echo "log-acceptance: $*" >&2; }
pg_sql() { psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$pg_db" -X -q -tA -v ON_ERROR_STOP=1 -c "$1"; }
now_ms() { date +%s%3N; }

# The forwarder runs in a session of its own, so a cut ends the listener and every forwarded
# connection at once (a kill of its process group); a restore listens again on the same port.
fwd_up() {
  setsid socat "TCP-LISTEN:$fwd_port,bind=127.0.0.1,reuseaddr,fork" "TCP:$pg_host:$pg_port" </dev/null >/dev/null 2>&1 &
  fwd_pid=$!
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$fwd_port") 2>/dev/null && return 0
    sleep 0.1
  done
  log "the forwarder never listened on $fwd_port"
  return 1
}
fwd_down() {
  [ -n "$fwd_pid" ] || return 0
  kill -TERM -- "-$fwd_pid" 2>/dev/null || kill -TERM "$fwd_pid" 2>/dev/null || true
  wait "$fwd_pid" 2>/dev/null || true
  fwd_pid=""
}
cleanup() {
  fwd_down
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$schema_made" = 1 ] && pg_sql "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

need=()
command -v socat >/dev/null || need+=(socat)
command -v psql >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

log "building"
./mvnw -q -B -pl bench -am package -DskipTests
touch proxy-server/target/lib/.aigw-built
cp="bench/target/classes:bench/target/lib/*"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 100); do curl -fs -m 1 "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; log "$1 never answered"; return 1; }

pg_sql "CREATE SCHEMA $schema"
schema_made=1
mock_port="$(free_port)"; proxy_port="$(free_port)"; fwd_port="$(free_port)"
key="sk-acc-$(date +%s)"

"$java_bin" -Xms256m -Xmx1g -XX:+UseG1GC -cp "$cp" io.aigw.bench.mock.MockProvider --port "$mock_port" >"$work/mock.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$mock_port/health"
fwd_up

cat >"$work/proxy.yaml" <<YAML
server: {host: 127.0.0.1, port: $proxy_port}
auth: {api_keys: ["$key"]}
data_dir: $work/data
request_log:
  store: postgres
  bodies: full
  postgres: {url: "jdbc:postgresql://127.0.0.1:$fwd_port/$pg_db?currentSchema=$schema", user: $pg_user}
  spill_dir: $work/spill
providers:
  mock: {type: openai, base_url: "http://127.0.0.1:$mock_port/v1"}
models:
  "$plain_model": {providers: {mock: {}}}
  "$stream_model": {providers: {mock: {}}}
YAML
JAVA_OPTS="-Xlog:gc:file=$work/gc-aigw.log" scripts/run.sh --config "$work/proxy.yaml" >"$work/proxy.log" 2>&1 &
proxy_jvm=$!   # run.sh execs the JVM, so this is its pid
pids+=($proxy_jvm)
wait_http "http://127.0.0.1:$proxy_port/health"

log "warm-up: $warm_requests requests at 500/s (ids warm-*), then $requests at $rate/s (ids acc-*), a third streamed"
"$java_bin" -Xms256m -Xmx1g "-Xlog:gc:file=$work/gc-client.log" -cp "$cp" io.aigw.bench.log.MixedLoad --url "http://127.0.0.1:$proxy_port/v1/chat/completions" \
  --key "$key" --requests "$requests" --rate "$rate" --stream-every 3 --plain-model "$plain_model" \
  --stream-model "$stream_model" --expect-stream-events "$stream_events" --id-prefix acc- --out "$work/requests.csv" \
  --warmup-requests "$warm_requests" --warmup-rate 500 --warmup-prefix warm- >"$work/load.json" 2>"$work/load.log" &
load_pid=$!
pids+=($load_pid)
until grep -q 'warm-up of' "$work/load.log" 2>/dev/null; do
  kill -0 "$load_pid" 2>/dev/null || { log "the load driver died (see $work/load.log)"; exit 1; }
  sleep 0.1
done
log "$(grep 'warm-up of' "$work/load.log"); the database link is cut in ${cut_after}s for ${outage}s"
sleep "$cut_after"
cut_at="$(now_ms)"
fwd_down
log "database link cut"
sleep "$outage"
fwd_up
restored_at="$(now_ms)"
log "database link restored"
wait "$load_pid" || log "the load driver failed (see $work/load.log)"

# The spill is replayed in the background once the database answers again.
count_acc() { pg_sql "SELECT count(*) FROM $schema.request_logs WHERE request_id LIKE 'acc-%'" 2>/dev/null || echo 0; }
for _ in $(seq 1 120); do
  [ "$(count_acc)" -ge "$requests" ] && break
  sleep 1
done
settled_at="$(now_ms)"
log "stopping aigw (its writer drains and logs its counters)"
kill -TERM "$proxy_jvm" 2>/dev/null || true
wait "$proxy_jvm" 2>/dev/null || true

pg_sql "SELECT CASE WHEN request_id LIKE 'acc-%' THEN 'acc' WHEN request_id LIKE 'warm-%' THEN 'warm' ELSE 'other' END,
               count(*), count(DISTINCT request_id), count(*) FILTER (WHERE status_code = 200),
               count(*) FILTER (WHERE stream),
               count(*) FILTER (WHERE stream AND (prompt_tokens, completion_tokens, total_tokens) = ($(echo "$stream_usage" | tr ' ' ','))),
               count(*) FILTER (WHERE NOT stream AND (prompt_tokens, completion_tokens, total_tokens) = ($(echo "$plain_usage" | tr ' ' ','))),
               count(*) FILTER (WHERE stream AND response_body->>'content' IS NOT NULL AND response_body->>'finish_reason' = 'stop'),
               count(*) FILTER (WHERE request_body::text LIKE '%jane.doe@example.com%' OR response_body::text LIKE '%jane.doe@example.com%'),
               min(ts), max(ts)
        FROM $schema.request_logs GROUP BY 1 ORDER BY 1" >"$work/rows.txt"
grep -o 'request log: stopped (.*)' "$work/proxy.log" | tail -1 >"$work/stop.txt" || true
grep -E 'request log: the postgres store (failed|is reachable)' "$work/proxy.log" >"$work/store-events.txt" || true
spill_left="$(find "$work/spill" -type f -size +0 2>/dev/null | wc -l)"

python3 - "$work" "$requests" "$cut_at" "$restored_at" "$settled_at" "$spill_left" "$rate" "$outage" <<'PY'
import csv, json, math, re, sys
work, requests, cut, restored, settled, spill_left, rate, outage = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), sys.argv[7], sys.argv[8]
rows = {}
for line in open(f"{work}/rows.txt"):
    p = line.rstrip("\n").split("|")
    if len(p) >= 9:
        rows[p[0]] = dict(zip(("rows", "distinct", "ok", "streams", "stream_usage", "plain_usage", "assembled", "unredacted"), map(int, p[1:9])))
stop = open(f"{work}/stop.txt").read()
stats = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", stop)}
load = json.loads(open(f"{work}/load.json").read() or "{}")
recs = list(csv.DictReader(open(f"{work}/requests.csv")))

def pct(v, p):
    if not v:
        return None
    v = sorted(v)
    return v[max(0, min(len(v) - 1, math.ceil(len(v) * p / 100) - 1))]
def ms(us):
    return "–" if us is None else f"{us / 1000:.2f}"
windows = (("before the cut", lambda t: t < cut), ("during the outage", lambda t: cut <= t < restored), ("after the restore", lambda t: t >= restored))
lat = {}
for name, inside in windows:
    sel = [r for r in recs if r["intended_epoch_ms"] and inside(float(r["intended_epoch_ms"])) and r["ok"] == "1"]
    lat[name] = {
        "n": len(sel),
        "all": [int(r["latency_us"]) for r in sel],
        "plain": [int(r["latency_us"]) for r in sel if r["stream"] == "0"],
        "stream": [int(r["latency_us"]) for r in sel if r["stream"] == "1"],
        "ttfb": [int(r["ttfb_us"]) for r in sel if r["stream"] == "1" and int(r["ttfb_us"]) >= 0],
    }
errors = [r for r in recs if r["ok"] != "1"]
acc = rows.get("acc", {})
streams_sent = sum(1 for r in recs if r["stream"] == "1")

print(f"\n### Request-log acceptance: {requests:,} requests at {rate}/s, a third streamed, PostgreSQL cut for {outage} s\n")
print("| window (by each request's intended send time) | requests | all p50 / p99 / p99.9 / max (ms) | plain p50 / p99 (ms) | streamed p50 / p99 (ms) | stream first byte p50 / p99 (ms) |")
print("|---|---:|---|---|---|---|")
for name, _ in windows:
    w = lat[name]
    print(f"| {name} | {w['n']:,} | {ms(pct(w['all'], 50))} / {ms(pct(w['all'], 99))} / {ms(pct(w['all'], 99.9))} / {ms(max(w['all']) if w['all'] else None)} | "
          f"{ms(pct(w['plain'], 50))} / {ms(pct(w['plain'], 99))} | {ms(pct(w['stream'], 50))} / {ms(pct(w['stream'], 99))} | "
          f"{ms(pct(w['ttfb'], 50))} / {ms(pct(w['ttfb'], 99))} |")
b, d = lat["before the cut"], lat["during the outage"]
d50 = (pct(d["all"], 50) or 0) - (pct(b["all"], 50) or 0)
d99 = (pct(d["all"], 99) or 0) - (pct(b["all"], 99) or 0)
# The machine's own noise: p50 and p99 of every 5-second slice of the run; * marks the outage's.
t_first = min(float(r["intended_epoch_ms"]) for r in recs if r["intended_epoch_ms"])
slices = {}
for r in recs:
    if r["intended_epoch_ms"] and r["ok"] == "1":
        slices.setdefault(int((float(r["intended_epoch_ms"]) - t_first) // 5000), []).append(int(r["latency_us"]))
def sliced(k):
    start = t_first + k * 5000
    return "*" if start >= cut and start + 5000 <= restored else ("~" if start < restored and start + 5000 > cut else "")
print("\n5-second slices of the run, p50 / p99 in ms (* inside the outage, ~ straddling a cut or restore):\n")
print(" · ".join(f"{sliced(k)}{ms(pct(v, 50))}/{ms(pct(v, 99))}" for k, v in sorted(slices.items())))
before_p99s = [pct(v, 99) for k, v in slices.items() if t_first + (k + 1) * 5000 <= cut]
envelope = max(before_p99s + [pct(lat["before the cut"]["all"], 99) or 0])
events = open(f"{work}/store-events.txt").read().strip().splitlines()
checks = [
    ("rows: exactly one per request", acc.get("rows") == requests and acc.get("distinct") == requests,
     f"{acc.get('rows', 0):,} rows with acc- ids, {acc.get('distinct', 0):,} distinct, for {requests:,} requests "
     f"({acc.get('ok', 0):,} with status 200); warm-up rows {rows.get('warm', {}).get('rows', 0):,} of {rows.get('warm', {}).get('distinct', 0):,} ids; other rows {rows.get('other', {}).get('rows', 0)}"),
    ("usage of streamed calls", acc.get("streams") == streams_sent and acc.get("stream_usage") == streams_sent,
     f"{acc.get('stream_usage', 0):,} of {acc.get('streams', 0):,} streamed rows ({streams_sent:,} streams sent) have prompt/completion/total 10/60/70; "
     f"{acc.get('plain_usage', 0):,} of {acc.get('rows', 0) - acc.get('streams', 0):,} plain rows have 10/25/35; "
     f"{acc.get('assembled', 0):,} streamed rows hold the assembled message"),
    ("client errors", not errors and load.get("errors") == 0,
     f"{len(errors)} of {len(recs):,}" + (f" (first: {errors[0]['error']})" if errors else "")),
    ("the outage reached the writer, nothing lost", stats.get("spilled", 0) > 0 and stats.get("dropped", 1) == 0
     and stats.get("replayed") == stats.get("spilled") and spill_left == 0,
     f"writer at stop: {stop.strip().replace('request log: stopped ', '') or 'no stop line'}; spill files left: {spill_left}; "
     f"the writer logged the store failed {sum('store failed' in e for e in events)}× "
     f"({next((e.split('failed (', 1)[1].split(');')[0] for e in events if 'store failed (' in e), 'never')}) "
     f"and reachable {sum('is reachable' in e for e in events)}× (start included)"),
    ("redaction (the prompt carries an email address)", acc.get("unredacted", 1) == 0, f"{acc.get('unredacted', 0)} rows hold it unredacted"),
    ("no client-visible latency added during the outage: p50 within 0.5 ms of before the cut, p99 no higher "
     "than the worst 5-second slice before the cut", d50 <= 500 and pct(d["all"], 99) is not None and pct(d["all"], 99) <= envelope,
     f"p50 {ms(pct(b['all'], 50))} → {ms(pct(d['all'], 50))} ms ({d50 / 1000:+.2f}), p99 {ms(pct(b['all'], 99))} → "
     f"{ms(pct(d['all'], 99))} ms ({d99 / 1000:+.2f}); worst 5-second p99 before the cut: {ms(envelope)} ms"),
]
last_sent = max((float(r["intended_epoch_ms"]) for r in recs if r["intended_epoch_ms"]), default=restored)
print(f"\nThe cut lasted {(restored - cut) / 1000:.1f} s; the last request was sent {(last_sent - restored) / 1000:.1f} s after the "
      f"restore, and every row was in the table {(settled - last_sent) / 1000:.1f} s after that (polled once a second).\n")
def gc_max(name):
    pauses = [float(m) for m in re.findall(r"Pause.* (\d+\.\d+)ms$", open(f"{work}/gc-{name}.log").read(), re.M)]
    return f"{max(pauses):.1f} ms longest of {len(pauses)}" if pauses else "none"
worst = max((r for r in recs if r["ok"] == "1"), key=lambda r: int(r["latency_us"]), default=None)
if worst:
    t = float(worst["intended_epoch_ms"])
    where = "before the cut" if t < cut else ("during the outage" if t < restored else "after the restore")
    print(f"Slowest request: {int(worst['latency_us']) / 1000:.1f} ms, sent {where} ({(t - cut) / 1000:+.1f} s from the cut, "
          f"{(t - restored) / 1000:+.1f} s from the restore). GC pauses (whole run, warm-up included): aigw {gc_max('aigw')}, "
          f"load driver {gc_max('client')}.\n")
print("| check | result | detail |")
print("|---|---|---|")
for name, ok, detail in checks:
    print(f"| {name} | {'PASS' if ok else '**FAIL**'} | {detail} |")
verdict = all(ok for _, ok, _ in checks)
print(f"\n{'PASS' if verdict else 'FAIL'}")
sys.exit(0 if verdict else 1)
PY
