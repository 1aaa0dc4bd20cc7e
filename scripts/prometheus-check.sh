#!/usr/bin/env bash
# A real Prometheus scrapes a running aigw (issue 15): scripts/prometheus-check.sh
# Starts aigw (scripts/run.sh, a temp config on a free 127.0.0.1 port) and Prometheus from Debian's
# `prometheus` package (a temp config scraping aigw's /metrics every second, its own free port and a
# temp TSDB), sends a few requests, then asks Prometheus' HTTP API for aigw's request count until it
# shows them all. Bounded to about 60 s; stops what it started. Needs the build run.sh makes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v prometheus >/dev/null; then
  echo "prometheus-check: prometheus is not installed (apt-get install prometheus)" >&2
  exit 1
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
work="$(mktemp -d /tmp/aigw-promcheck.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
deadline=$((SECONDS + 60))
wait_http() {
  until curl -fsS -m 2 -o /dev/null "$1" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "prometheus-check: $1 did not answer in time" >&2; return 1; fi
    sleep 0.5
  done
}

aigw_port="$(free_port)"; prom_port="$(free_port)"; dead_port="$(free_port)"
key="sk-prometheus-check-client-key"
cat >"$work/aigw.yaml" <<YAML
server: {host: 127.0.0.1, port: $aigw_port}
auth: {api_keys: ["$key"]}
data_dir: "$work/data"
request_log: {store: off}
providers:
  # Nothing listens there: each chat request is a quick 502, counted like any other answer.
  gone: {type: openai, base_url: "http://127.0.0.1:$dead_port/v1", api_key: sk-not-a-real-provider-key}
models:
  m: {retries: {count: 0}, providers: {gone: {}}}
YAML
cat >"$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: aigw
    metrics_path: /metrics
    static_configs: [{targets: ["127.0.0.1:$aigw_port"]}]
YAML

scripts/run.sh --config "$work/aigw.yaml" >"$work/aigw.log" 2>&1 &
pids+=($!)
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$aigw_port/health" || { cat "$work/aigw.log" >&2; exit 1; }
wait_http "http://127.0.0.1:$prom_port/-/ready" || { cat "$work/prometheus.log" >&2; exit 1; }

models=5; chats=3
for _ in $(seq 1 "$models"); do
  curl -fsS -m 5 -o /dev/null -H "Authorization: Bearer $key" "http://127.0.0.1:$aigw_port/v1/models"
done
for _ in $(seq 1 "$chats"); do
  curl -sS -m 10 -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"model":"m","messages":[{"role":"user","content":"hi"}]}' "http://127.0.0.1:$aigw_port/v1/chat/completions"
done

query='sum(requests_total{endpoint=~"/v1/models|/v1/chat/completions"})'
want=$((models + chats))
got=""
while [ "$SECONDS" -lt "$deadline" ]; do
  got="$(curl -fsS -m 5 --get --data-urlencode "query=$query" "http://127.0.0.1:$prom_port/api/v1/query" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else "")' \
    || true)"
  if [ "$got" = "$want" ]; then
    echo "prometheus-check: Prometheus scraped aigw and answers $query = $got (sent $want)."
    exit 0
  fi
  sleep 1
done
echo "prometheus-check: Prometheus answered '$got' for $query, expected $want" >&2
tail -20 "$work/prometheus.log" >&2
exit 1
