#!/usr/bin/env bash
# The whole test suite, as CI runs it: every module's tests with Netty's paranoid leak detector.
# A leak report fails the run twice over: LeakFailingExtension fails the test class, and the scan
# below fails the run if any report was printed where no test could catch it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

./mvnw -B -ntp verify "$@"

leaks="$(grep -l 'LEAK:' ./*/target/surefire-reports/*-output.txt 2>/dev/null \
  | grep -v 'LeakFailingExtensionTest-output.txt' || true)"
if [ -n "$leaks" ]; then
  echo "Netty leak reports found in:" >&2
  echo "$leaks" >&2
  exit 1
fi
echo "No Netty leak reports."
