#!/usr/bin/env bash
# ctest compose.config: compose/docker-compose.yaml is a valid Compose file, as the Compose
# client reads it (no engine needed). Exit 77 (reported as skipped) with the reason printed
# when no Compose client is installed: never a silent pass.
#
# usage: tests/compose/config.sh REPO_ROOT
set -euo pipefail
root="$1"
file="$root/compose/docker-compose.yaml"

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "compose.config: SKIPPED: neither 'docker compose' (the Compose plugin) nor" \
    "'docker-compose' is installed; scripts/bootstrap installs Debian's docker-compose"
  exit 77
fi
echo "compose.config: $("${compose[@]}" version 2>/dev/null | head -1)"
out="$("${compose[@]}" -f "$file" config)" || {
  echo "compose.config: FAIL: ${compose[*]} config rejected $file"
  exit 1
}
# The file is valid; now what it must say, as the client resolved it.
fail=0
for want in "jaegertracing/all-in-one:1.62.0" "16686" "mock-services" "otel-collector" \
  "--forward-to=jaeger:4317" "--sink-listen=0.0.0.0:4317" "TRACEPROOF_SINK_ENDPOINT: traceproof:4317" \
  "--admin-port=9000" "compose/scenarios/checkout.yaml"; do
  if ! grep -qF -- "$want" <<<"$out"; then
    echo "compose.config: FAIL: the resolved config lacks '$want'"
    fail=1
  fi
done
# Every file the compose file and the Dockerfile name must exist.
for f in compose/Dockerfile compose/collector/otel-collector-config.yaml \
  compose/collector/builder.yaml compose/scenarios/checkout.yaml; do
  [ -f "$root/$f" ] || { echo "compose.config: FAIL: $f is missing"; fail=1; }
done
[ "$fail" = 0 ] && echo "compose.config: OK"
exit "$fail"
