#!/usr/bin/env bash
# The whole test suite, as CI runs it: every module's tests with Netty's paranoid leak detector.
# A leak report fails the run twice over: LeakFailingExtension fails the test class, and the scan
# below fails the run if any report was printed where no test could catch it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# promtool checks a scrape in MetricsIT (required under CI=true); prometheus-check.sh below runs a
# real Prometheus. Both come with Debian's prometheus package; installing it is bounded.
if ! command -v promtool >/dev/null; then
  (timeout 300 apt-get update -qq && timeout 300 apt-get install -y -qq --no-install-recommends prometheus) \
    >/dev/null 2>&1 || echo "test.sh: could not install Debian's prometheus package (promtool)" >&2
fi

# The admin console's browser test (AdminConsoleBrowserIT, required under CI=true) drives Debian's
# chromium with the npm package playwright-core (no browser download); fonts-liberation (only
# recommended by chromium) gives the screenshots readable text. Both installs are bounded.
if [ ! -x /usr/bin/chromium ]; then
  (timeout 300 apt-get update -qq && timeout 600 apt-get install -y -qq --no-install-recommends chromium fonts-liberation) \
    >/dev/null 2>&1 || echo "test.sh: could not install Debian's chromium package" >&2
fi
console=proxy-server/src/test/console
if [ ! -d "$console/node_modules/playwright-core" ]; then
  (cd "$console" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund) >/dev/null 2>&1 \
    || echo "test.sh: npm ci failed in $console (playwright-core)" >&2
fi

./mvnw -B -ntp verify "$@"

leaks="$(grep -l 'LEAK:' ./*/target/surefire-reports/*-output.txt 2>/dev/null \
  | grep -v 'LeakFailingExtensionTest-output.txt' || true)"
if [ -n "$leaks" ]; then
  echo "Netty leak reports found in:" >&2
  echo "$leaks" >&2
  exit 1
fi
echo "No Netty leak reports."

# Coverage (JaCoCo): per module, from proxy-server's aggregate (its tests drive core and adapters too).
coverage=proxy-server/target/site/jacoco-aggregate/jacoco.csv
if [ -f "$coverage" ]; then
  echo "Coverage (JaCoCo, every module's tests; HTML in proxy-server/target/site/jacoco-aggregate/index.html):"
  awk -F, 'NR > 1 {
      m = $1; sub(/.*\//, "", m); mods[m] = 1
      im[m] += $4; ic[m] += $5; bm[m] += $6; bc[m] += $7; lm[m] += $8; lc[m] += $9
      IM += $4; IC += $5; BM += $6; BC += $7; LM += $8; LC += $9
    }
    function pct(c, m) { return (c + m) ? sprintf("%5.1f%%", 100 * c / (c + m)) : "    -" }
    END {
      printf "  %-16s %12s %12s %12s\n", "module", "instructions", "branches", "lines"
      for (m in mods) printf "  %-16s %12s %12s %12s\n", m, pct(ic[m], im[m]), pct(bc[m], bm[m]), pct(lc[m], lm[m])
      printf "  %-16s %12s %12s %12s\n", "total", pct(IC, IM), pct(BC, BM), pct(LC, LM)
    }' "$coverage"
else
  echo "Coverage: no report at $coverage" >&2
  exit 1
fi

# The distribution: scripts/dist.sh's tarball, unpacked into an empty directory, serves a request
# through a mock provider with no JDK on PATH (~20 s, jlink most of it). `verify` has just built the jars.
AIGW_DIST_REUSE_BUILD=1 timeout 300 scripts/dist-check.sh

# Smoke: the README's start command, with the default config, answers /health. `verify` has just
# built everything run.sh needs, so mark the build current instead of building twice.
touch proxy-server/target/lib/.aigw-built

# A real Prometheus scrapes a running aigw and answers a query for its request count (~60 s at most).
timeout 120 scripts/prometheus-check.sh
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
log="$(mktemp)"
PROXY_PORT="$port" scripts/run.sh >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  if curl -fsS -m 2 "http://127.0.0.1:$port/health" 2>/dev/null | grep -q '"status":"ok"'; then
    echo "Smoke: scripts/run.sh answered /health on port $port."
    # One exchange for the default request log (a refused key is logged too), then a clean stop.
    smoke_id="smoke-$port-$$"
    curl -sS -m 5 -o /dev/null -H "x-request-id: $smoke_id" "http://127.0.0.1:$port/v1/models" || true
    kill "$pid"; wait "$pid" 2>/dev/null || true
    if command -v sqlite3 >/dev/null; then
      rows="$(sqlite3 data/requests.db "select count(*) from request_logs where request_id = '$smoke_id'")"
      if [ "$rows" != "1" ]; then
        echo "Smoke: expected the exchange $smoke_id in data/requests.db, found $rows row(s)" >&2
        exit 1
      fi
      echo "Smoke: the default config logged the exchange to data/requests.db (read with sqlite3)."
    else
      echo "Smoke: sqlite3 is not installed; data/requests.db was not read back."
    fi
    exit 0
  fi
  sleep 1
done
echo "Smoke: scripts/run.sh did not answer /health within 60 s; its output:" >&2
cat "$log" >&2
exit 1
