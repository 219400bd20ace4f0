#!/usr/bin/env bash
# Acceptance: a sink that listens beyond loopback and lets anyone in says so on stderr, with
# how to secure it (--require-header); with a required header, or on loopback, it says nothing.
# `serve --host 0.0.0.0` warns too (its mocks and admin endpoint have no authentication).
# Each listens for a fraction of a second on free ports.
# usage: sink_listen_warning.sh TRACEPROOF_BINARY
set -euo pipefail
bin="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; cat "$work"/*.err >&2; exit 1; }
export TOKEN="tp-warning-test-token"

sink() {  # sink NAME [FLAGS...]: a short-lived sink; its stderr in $work/NAME.err
  local name=$1
  shift
  "$bin" sink --duration 0.3 "$@" >"$work/$name.out" 2>"$work/$name.err" || fail "$name: exit $?"
}

sink grpc_open --grpc 0.0.0.0:0 --http off
grep -qF "warning: otlp/grpc listens on 0.0.0.0:" "$work/grpc_open.err" || fail "grpc_open: no warning"
grep -qF -- "--require-header" "$work/grpc_open.err" || fail "grpc_open: the warning says no remedy"
echo "ok   --grpc 0.0.0.0:0 without a required header warns"

sink http_open --grpc off --http 0.0.0.0:0
grep -qF "warning: otlp/http listens on 0.0.0.0:" "$work/http_open.err" || fail "http_open: no warning"
echo "ok   --http 0.0.0.0:0 without a required header warns"

sink with_header --grpc 0.0.0.0:0 --http 0.0.0.0:0 --require-header 'authorization=Bearer ${TOKEN}'
[ ! -s "$work/with_header.err" ] || fail "with_header: warned although a header is required"
echo "ok   with --require-header: no warning"

sink loopback --grpc 127.0.0.1:0 --http 127.0.0.1:0
[ ! -s "$work/loopback.err" ] || fail "loopback: warned on loopback"
echo "ok   on loopback: no warning"

"$bin" serve seed-checkout --host 0.0.0.0 --admin-port 0 --otlp-endpoint 127.0.0.1:1 --duration 0.3 \
  >"$work/serve_open.out" 2>"$work/serve_open.err" || fail "serve_open: exit $?"
grep -qF "warning: the services and the admin endpoint listen on 0.0.0.0" "$work/serve_open.err" \
  || fail "serve --host 0.0.0.0: no warning"
"$bin" serve seed-checkout --otlp-endpoint 127.0.0.1:1 --duration 0.3 \
  >"$work/serve_loopback.out" 2>"$work/serve_loopback.err" || fail "serve_loopback: exit $?"
if grep -q "warning" "$work/serve_loopback.err"; then fail "serve on loopback warned"; fi
echo "ok   serve --host 0.0.0.0 warns; on loopback it does not"
