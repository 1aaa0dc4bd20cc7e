#!/usr/bin/env bash
# The distribution's test (scripts/test.sh runs it after `verify`): scripts/dist.sh builds the
# tarball, which is unpacked into an empty directory and run as a host without a JDK would:
# `env -i` with a PATH of a few symlinked tools and no java. bin/aigw start then serves a chat
# completion through a mock OpenAI provider over plain HTTP and one over TLS (an EC certificate:
# the trimmed runtime's crypto), the CLI answers --help, bin/aigw health answers, the state lands
# in the tarball's data/, and SIGTERM stops it with exit status 0. One summary line at the end.
# Environment: AIGW_DIST_REUSE_BUILD=1 (passed to dist.sh: reuse proxy-server/target), JAVA_HOME
# (the JDK whose jlink builds the runtime). Needs python3, curl, openssl (CI=true: all required).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

fail() {
  echo "dist-check: $*" >&2
  exit 1
}
for tool in python3 curl; do command -v "$tool" >/dev/null || fail "$tool is needed"; done
tls=on
if ! command -v openssl >/dev/null; then
  [ "${CI:-}" = true ] && fail "openssl is needed (for the TLS upstream)"
  echo "dist-check: openssl is missing: the TLS upstream is left out" >&2
  tls=off
fi

tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# The tarball, as dist.sh makes it (its stderr holds the timings).
start_s="$(date +%s)"
tarball="$(scripts/dist.sh 2>"$tmp/dist.err" | tail -n 1)" || { cat "$tmp/dist.err" >&2; fail "dist.sh failed"; }
dist_s="$(($(date +%s) - start_s))"
[ -f "$tarball" ] || { cat "$tmp/dist.err" >&2; fail "dist.sh printed no tarball"; }
jlink_ms="$(sed -n 's/.*jlink \([0-9]*\) ms.*/\1/p' "$tmp/dist.err")"
runtime_size="$(sed -n 's/.*, runtime \([^;]*\);.*/\1/p' "$tmp/dist.err")"

# Unpacked into an empty directory: the only things it may use are its own.
install="$tmp/install"
mkdir "$install"
tar -xzf "$tarball" -C "$install"
home="$(echo "$install"/aigw-*)"
[ -x "$home/bin/aigw" ] && [ -x "$home/runtime/bin/java" ] || fail "the tarball lacks bin/aigw or runtime/bin/java"

# A PATH with only what bin/aigw uses (bash and a few core tools), no java; JAVA_HOME points nowhere.
toolbin="$tmp/toolbin"
mkdir "$toolbin"
for t in bash env nproc rm mkdir; do ln -s "$(command -v "$t")" "$toolbin/$t"; done
bare=(env -i "HOME=$tmp" "PATH=$toolbin" "JAVA_HOME=$tmp/no-such-jdk")
if "${bare[@]}" bash -c 'command -v java' >/dev/null 2>&1; then fail "java is reachable in the bare environment"; fi

# The mock provider: one process, a plain and a TLS listener on ephemeral ports.
if [ "$tls" = on ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null \
    || fail "openssl could not make a test certificate"
fi
cat >"$tmp/mock.py" <<'EOF'
import json, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Mock(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        ok = self.path == "/v1/chat/completions"
        answer = {"id": "chatcmpl-dist", "object": "chat.completion", "created": 1, "model": body.get("model"),
                  "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant",
                               "content": "dist-check answer from " + self.server.name}}],
                  "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}}
        data = json.dumps(answer if ok else {"error": {"message": "no such path", "type": "x"}}).encode()
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

ports = []
for name in ("plain", "tls") if len(sys.argv) > 2 else ("plain",):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Mock)
    server.name = name
    if name == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ports.append(str(server.server_address[1]))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(" ".join(ports) + "\n")
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
threading.Event().wait()
EOF
if [ "$tls" = on ]; then
  python3 "$tmp/mock.py" "$tmp/mock.ports" "$tmp/cert.pem" "$tmp/key.pem" &
else
  python3 "$tmp/mock.py" "$tmp/mock.ports" &
fi
pids+=($!)
for _ in $(seq 1 50); do [ -f "$tmp/mock.ports" ] && break; sleep 0.1; done
read -r plain_port tls_port <"$tmp/mock.ports" || fail "the mock provider did not start"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
key="sk-dist-check-$RANDOM$RANDOM-0123456789"
# data_dir as the shipped proxy.yaml has it: bin/aigw points AIGW_DATA_DIR at the tarball's data/.
{
  echo "server: {host: 127.0.0.1, port: $port}"
  echo "auth: {api_keys: [\"$key\"]}"
  echo 'data_dir: "${AIGW_DATA_DIR:-./data}"'
  echo "providers:"
  echo "  plain: {type: openai, base_url: \"http://127.0.0.1:$plain_port/v1\", api_key: sk-upstream-plain-0000}"
  if [ "$tls" = on ]; then
    echo "  tls: {type: openai, base_url: \"https://localhost:$tls_port/v1\", api_key: sk-upstream-tls-0000, tls: {ca_file: \"$tmp/cert.pem\"}}"
  fi
  echo "models:"
  echo "  plain-model: {providers: {plain: {}}}"
  if [ "$tls" = on ]; then echo "  tls-model: {providers: {tls: {}}}"; fi
} >"$tmp/proxy.yaml"

# Started from an empty working directory, so nothing relative can fall back on the checkout.
mkdir "$tmp/cwd"
t0="$(date +%s%N)"
(cd "$tmp/cwd" && exec "${bare[@]}" "$home/bin/aigw" start --config "$tmp/proxy.yaml") >"$tmp/aigw.log" 2>&1 &
aigw=$!
pids+=("$aigw")
ready_ms=""
for _ in $(seq 1 600); do
  if curl -fsS -m 1 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"status":"ok"'; then
    ready_ms="$((($(date +%s%N) - t0) / 1000000))"
    break
  fi
  kill -0 "$aigw" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready_ms" ] || { cat "$tmp/aigw.log" >&2; fail "bin/aigw start did not answer /health within 60 s"; }

chat() { # chat MODEL EXPECTED
  local out
  out="$(curl -sS -m 10 "http://127.0.0.1:$port/v1/chat/completions" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' -d "{\"model\":\"$1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")" \
    || fail "the chat completion for $1 failed"
  case "$out" in *"dist-check answer from $2"*) ;; *) cat "$tmp/aigw.log" >&2; fail "$1 answered: $out" ;; esac
}
chat plain-model plain
upstreams="plain"
if [ "$tls" = on ]; then
  chat tls-model tls
  upstreams="plain and TLS"
fi

# The command line and the health command, on the bundled runtime, in the same bare environment.
help="$("${bare[@]}" "$home/bin/aigw" --help 2>&1)" || fail "bin/aigw --help failed: $help"
case "$help" in *keys*) ;; *) fail "bin/aigw --help printed no command list: $help" ;; esac
"${bare[@]}" "$home/bin/aigw" health "$port" || fail "bin/aigw health $port failed while the server is up"
if "${bare[@]}" "$home/bin/aigw" health "$plain_port" 2>/dev/null; then
  fail "bin/aigw health passed against the mock, which has no /health"
fi

kill -TERM "$aigw"
status=0
for _ in $(seq 1 450); do kill -0 "$aigw" 2>/dev/null || break; sleep 0.1; done
wait "$aigw" || status=$?
[ "$status" = 0 ] || { cat "$tmp/aigw.log" >&2; fail "bin/aigw start exited with $status after SIGTERM, not 0"; }
# The state went to the tarball's data/, the default of the shipped layout, not the working directory.
[ -f "$home/data/requests.db" ] || fail "no request log at $home/data/requests.db"
# The stop wrote the application's class-data archive there too (a later start maps those classes).
ls "$home"/data/aigw-*.jsa >/dev/null 2>&1 || fail "no class-data archive in $home/data after the stop"
[ -z "$(ls -A "$tmp/cwd")" ] || fail "the server wrote into its working directory: $(ls -A "$tmp/cwd")"

printf 'Dist: %s %s (runtime %s, jlink %s ms, dist.sh %d s); unpacked and started without a JDK, ready in %d ms; %s upstream answered, CLI ok, SIGTERM exit 0.\n' \
  "$tarball" "$(du -h "$tarball" | cut -f1)" "$runtime_size" "$jlink_ms" "$dist_s" "$ready_ms" "$upstreams"
