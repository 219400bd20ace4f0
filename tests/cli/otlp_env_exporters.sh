#!/usr/bin/env bash
# Acceptance for the OTel SDK exporter variables in `bench send` and `serve` (issue: security,
# item 3), against a `traceproof sink` with TLS and a required bearer token:
#   - OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT=https://..., _CERTIFICATE and _HEADERS: bench send
#     over gRPC and over http/protobuf gets in with no error; so do serve's exporters;
#   - without the token: every request refused (401 / UNAUTHENTICATED), counted by the sink;
#   - a CA that did not sign the sink's certificate: nothing sent, connect errors counted;
#   - --no-otel-env ignores the variables; a bad variable is exit 2 naming it;
#   - the token appears in no output.
# The certificates are made at test time by scripts/test-certs.
# usage: otlp_env_exporters.sh TRACEPROOF_BINARY SOURCE_DIR
set -uo pipefail
bin="$1"
src="$2"
work="$(mktemp -d)"
pid=""
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$work"/*.out; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }
"$src/scripts/test-certs" "$work/certs" || fail "scripts/test-certs"
certs="$work/certs"
TOKEN="tp-env-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export TOKEN
# Nothing from the machine's own environment may leak into these runs.
for v in $(env | sed -n 's/^\(OTEL_EXPORTER_OTLP_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done

"$bin" sink --grpc 127.0.0.1:0 --http 127.0.0.1:0 --quiet-ms 100 --duration 120 \
  --tls-cert "$certs/server.pem" --tls-key "$certs/server.key" \
  --require-header 'authorization=Bearer ${TOKEN}' >"$work/sink.out" 2>&1 &
pid=$!
grpc="" http=""
for _ in $(seq 100); do
  grpc=$(sed -n 's#^otlp/grpc listening on .*:\([0-9]*\)$#\1#p' "$work/sink.out")
  http=$(sed -n 's#^otlp/http listening on .*:\([0-9]*\)$#\1#p' "$work/sink.out")
  [ -n "$grpc" ] && [ -n "$http" ] && break
  sleep 0.1
done
[ -n "$grpc" ] && [ -n "$http" ] || fail "the sink did not print its ports"

send() {  # send NAME [VAR=VALUE...] -> $work/NAME.out, returns bench send's exit code
  local name=$1
  shift
  env "$@" "$bin" bench send --seconds 0.4 --connections 1 --spans 5 >"$work/$name.out" 2>&1
}
sent() { sed -n 's/^\([0-9]*\) spans in .*/\1/p' "$work/$1.out"; }
errors() { sed -n 's/.*errors: connect \([0-9]*\), status \([0-9]*\), io \([0-9]*\);.*/\1 \2 \3/p' "$work/$1.out"; }
headers="OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20$TOKEN"

send grpc OTEL_EXPORTER_OTLP_ENDPOINT="https://127.0.0.1:$grpc" \
  OTEL_EXPORTER_OTLP_CERTIFICATE="$certs/ca.pem" "$headers" || fail "gRPC over TLS with the token: exit $?"
[ "$(errors grpc)" = "0 0 0" ] && [ "$(sent grpc)" -gt 0 ] || fail "gRPC over TLS with the token: $(cat "$work/grpc.out")"
send http OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="https://localhost:$http/v1/traces" \
  OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE="$certs/ca.pem" "$headers" OTEL_EXPORTER_OTLP_COMPRESSION=gzip \
  || fail "HTTPS with the token: exit $?"
[ "$(errors http)" = "0 0 0" ] && [ "$(sent http)" -gt 0 ] || fail "HTTPS with the token: $(cat "$work/http.out")"
echo "ok   bench send from OTEL_EXPORTER_OTLP_*: gRPC and http/protobuf (gzip) over TLS with the token"

send notoken OTEL_EXPORTER_OTLP_ENDPOINT="https://127.0.0.1:$grpc" OTEL_EXPORTER_OTLP_CERTIFICATE="$certs/ca.pem"
[ $? = 3 ] || fail "without the token: want exit 3 (nothing sent)"
read -r c s i <<<"$(errors notoken)"
[ "$(sent notoken)" = 0 ] && [ "$s" -gt 0 ] || fail "without the token: $(cat "$work/notoken.out")"
refused_unauth=$s
send wrongca OTEL_EXPORTER_OTLP_ENDPOINT="https://127.0.0.1:$grpc" OTEL_EXPORTER_OTLP_CERTIFICATE="$certs/other-ca.pem" "$headers"
read -r c s i <<<"$(errors wrongca)"
[ "$(sent wrongca)" = 0 ] && [ "$c" -gt 0 ] || fail "another CA: $(cat "$work/wrongca.out")"
echo "ok   without the token: $refused_unauth requests refused; trusting another CA: nothing sent"

send bad OTEL_EXPORTER_OTLP_TIMEOUT=soon
[ $? = 2 ] || fail "a bad OTEL_EXPORTER_OTLP_TIMEOUT: want exit 2"
grep -q "OTEL_EXPORTER_OTLP_TIMEOUT 'soon'" "$work/bad.out" || fail "the error does not name the variable"
env OTEL_EXPORTER_OTLP_TIMEOUT=soon OTEL_EXPORTER_OTLP_ENDPOINT=https://127.0.0.1:1 \
  "$bin" bench send --no-otel-env --port "$grpc" --seconds 0.2 --connections 1 --spans 1 >"$work/noenv.out" 2>&1
read -r c s i <<<"$(errors noenv)"
[ "$c" -gt 0 ] || [ "$i" -gt 0 ] || fail "--no-otel-env: plain text to the TLS port should fail to connect: $(cat "$work/noenv.out")"
echo "ok   a bad variable is exit 2 naming it; --no-otel-env ignores them all"

env OTEL_EXPORTER_OTLP_ENDPOINT="https://127.0.0.1:$grpc" OTEL_EXPORTER_OTLP_CERTIFICATE="$certs/ca.pem" \
  "$headers" "$bin" serve seed-checkout --scale 0.05 --duration 60 >"$work/serve.out" 2>&1 &
serve=$!
gateway=""
for _ in $(seq 100); do
  gateway=$(sed -n 's#^service gateway listening on .*:\([0-9]*\)$#\1#p' "$work/serve.out")
  [ -n "$gateway" ] && break
  sleep 0.1
done
[ -n "$gateway" ] || fail "serve did not start"
grep -qF "exporting spans over OTLP/gRPC to https://127.0.0.1:$grpc, headers: authorization" "$work/serve.out" \
  || fail "serve does not say where and how it exports"
status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X POST "http://127.0.0.1:$gateway/checkout")
[ "$status" = 200 ] || fail "POST /checkout answered $status"
kill -TERM "$serve"; wait "$serve" || fail "serve exited non-zero"
kill -TERM "$pid"; wait "$pid" || fail "the sink exited non-zero"
pid=""
# Every bench send span accepted, and serve's spans besides; the refused requests counted.
read -r received accepted <<<"$(sed -n 's/^  spans *\([0-9]*\) received, \([0-9]*\) accepted.*/\1 \2/p' "$work/sink.out")"
from_send=$(( $(sent grpc) + $(sent http) ))
[ -n "$accepted" ] && [ "$accepted" -gt "$from_send" ] \
  || fail "the sink accepted ${accepted:-?} spans: want bench send's $from_send and serve's besides"
grep -qE "^  requests .* refused \(.*unauthenticated $refused_unauth\b" "$work/sink.out" \
  || fail "the sink's summary does not count $refused_unauth unauthenticated refusals"
echo "ok   serve's exporters from OTEL_EXPORTER_OTLP_*: spans accepted; the sink counts every span and refusal"
if grep -rqF "$TOKEN" "$work"/*.out; then fail "the token appears in an output"; fi
echo "ok   the token appears in no output"
