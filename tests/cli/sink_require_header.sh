#!/usr/bin/env bash
# Acceptance: `traceproof sink --require-header 'authorization=Bearer ${TOKEN}'` (TOKEN exported)
# lets in only the requests that carry the token, answers the rest 401 (OTLP/HTTP, protobuf and
# JSON) or UNAUTHENTICATED (OTLP/gRPC, from the official gRPC Python package in .venv), counts
# each refusal as 'unauthenticated' in its summary, and never prints the token: not in its
# stdout or stderr, not in --help, not in the error for an unset variable.
# usage: sink_require_header.sh TRACEPROOF_BINARY VENV_DIR
set -euo pipefail
bin="$1"
python="$2/bin/python"
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- sink output:" >&2; cat "$work/out" "$work/err" >&2; exit 1; }
[ -x "$python" ] || { echo "FAIL: no $python (scripts/bootstrap --test makes .venv)" >&2; exit 1; }

TOKEN="tp-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export TOKEN

# An unset variable is a usage error naming it; the command line's text is not echoed.
set +e
env -u TOKEN "$bin" sink --grpc 127.0.0.1:0 --http off --duration 1 \
  --require-header 'authorization=Bearer ${TOKEN}' >"$work/unset.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || { cat "$work/unset.out" >&2; echo "FAIL: unset TOKEN exited $rc, want 2" >&2; exit 1; }
grep -qF 'authorization: ${TOKEN} is not set' "$work/unset.out" \
  || { cat "$work/unset.out" >&2; echo "FAIL: the error does not name \${TOKEN}" >&2; exit 1; }
echo "ok   unset \${TOKEN} -> exit 2 naming it"

"$bin" sink --help >"$work/help.out" 2>&1
grep -qF -- "--require-header" "$work/help.out" || { echo "FAIL: --help lacks --require-header" >&2; exit 1; }
if grep -qF -- "$TOKEN" "$work/help.out"; then echo "FAIL: --help shows the token" >&2; exit 1; fi

"$bin" sink --grpc 127.0.0.1:0 --http 127.0.0.1:0 --quiet-ms 100 --duration 60 \
  --require-header 'authorization=Bearer ${TOKEN}' >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do
  # The background job may not have opened its output yet.
  grpc=$(sed -n 's#^otlp/grpc listening on .*:\([0-9]*\)$#\1#p' "$work/out" 2>/dev/null || true)
  http=$(sed -n 's#^otlp/http listening on .*:\([0-9]*\)$#\1#p' "$work/out" 2>/dev/null || true)
  [ -n "$grpc" ] && [ -n "$http" ] && break
  sleep 0.1
done
[ -n "${grpc:-}" ] && [ -n "${http:-}" ] || fail "sink did not print its ports"
grep -qF "requests must carry the header(s) authorization" "$work/out" \
  || fail "the sink does not say which header it requires"
url="http://127.0.0.1:$http/v1/traces"

cat >"$work/span.json" <<'JSON'
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"curl"}}]},
 "scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
  "name":"with-token","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}
JSON
post() {  # post NAME CONTENT_TYPE FILE [CURL ARGS...] -> the status
  local name=$1 type=$2 file=$3
  shift 3
  curl -s --max-time 20 -o "$work/$name.body" -w '%{http_code}' -H "Content-Type: $type" "$@" \
    --data-binary "@$file" "$url"
}
expect() {  # expect NAME WANT GOT
  [ "$3" = "$2" ] || fail "$1: HTTP $3, want $2 (body: $(head -c 300 "$work/$1.body"))"
  if grep -qaF -- "$TOKEN" "$work/$1.body"; then fail "$1: the answer holds the token"; fi
  echo "ok   $1 -> $3"
}
printf '' >"$work/empty.pb"  # an empty ExportTraceServiceRequest is valid protobuf

expect http_json_without 401 "$(post http_json_without application/json "$work/span.json")"
expect http_proto_without 401 "$(post http_proto_without application/x-protobuf "$work/empty.pb")"
expect http_wrong_token 401 "$(post http_wrong_token application/json "$work/span.json" \
  -H "Authorization: Bearer ${TOKEN}x")"
expect http_short_token 401 "$(post http_short_token application/json "$work/span.json" \
  -H "Authorization: Bearer ${TOKEN%?}")"
expect http_with_token 200 "$(post http_with_token application/json "$work/span.json" \
  -H "authorization: Bearer $TOKEN")"
expect http_proto_with_token 200 "$(post http_proto_with_token application/x-protobuf \
  "$work/empty.pb" -H "AUTHORIZATION: Bearer $TOKEN")"

# OTLP/gRPC with the official gRPC Python package: raw Export calls with and without the token.
"$python" - "$grpc" <<'PY' || fail "gRPC: see above"
import os, sys, grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as pb
channel = grpc.insecure_channel(f"127.0.0.1:{sys.argv[1]}")
export = channel.unary_unary(
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
    request_serializer=pb.ExportTraceServiceRequest.SerializeToString,
    response_deserializer=pb.ExportTraceServiceResponse.FromString)
req = pb.ExportTraceServiceRequest()
span = req.resource_spans.add().scope_spans.add().spans.add()
span.trace_id, span.span_id, span.name = bytes(range(1, 17)), bytes(range(1, 9)), "grpc-with-token"
token = os.environ["TOKEN"]
for name, metadata in (("grpc_without", ()), ("grpc_wrong_token", (("authorization", "Bearer x"),))):
    try:
        export(req, metadata=metadata, timeout=10)
        sys.exit(f"FAIL: {name}: the export was accepted")
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.UNAUTHENTICATED, (name, e.code(), e.details())
        assert token not in (e.details() or ""), f"{name}: the status message holds the token"
        print(f"ok   {name} -> {e.code().name}")
export(req, metadata=(("authorization", f"Bearer {token}"),), timeout=10)
print("ok   grpc_with_token -> OK")
PY

# `traceproof serve --otlp-header` sends the token with its mocks' exports: one checkout's
# 6 spans are let in (and the same without the flag would be refused, counted below).
serve() {  # serve NAME [FLAGS...]: one POST /checkout through seed-checkout, then stop
  local name=$1
  shift
  "$bin" serve seed-checkout --scale 0.02 --otlp-endpoint "127.0.0.1:$grpc" --duration 30 "$@" \
    >"$work/$name.out" 2>&1 &
  local serve_pid=$! gateway=""
  for _ in $(seq 100); do
    gateway=$(sed -n 's#^service gateway listening on .*:\([0-9]*\)$#\1#p' "$work/$name.out" \
      2>/dev/null || true)
    [ -n "$gateway" ] && break
    sleep 0.1
  done
  [ -n "$gateway" ] || fail "$name: serve did not start: $(cat "$work/$name.out")"
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -X POST "http://127.0.0.1:$gateway/checkout")
  [ "$status" = 200 ] || fail "$name: POST /checkout answered $status"
  kill -TERM "$serve_pid"
  wait "$serve_pid" || fail "$name: serve exited non-zero"
  if grep -qF -- "$TOKEN" "$work/$name.out"; then fail "$name: serve printed the token"; fi
}
serve serve_with_token --otlp-header 'authorization=Bearer ${TOKEN}'
grep -qF "6 exported" "$work/serve_with_token.out" || fail "serve with the token: not 6 spans exported: $(tail -3 "$work/serve_with_token.out")"
serve serve_without_token
grep -qF "0 exported" "$work/serve_without_token.out" || fail "serve without the token: spans exported: $(tail -3 "$work/serve_without_token.out")"
echo "ok   serve --otlp-header: its exports are let in; without it, refused"

kill -TERM "$pid"
wait "$pid" || fail "sink exited non-zero after SIGTERM"
pid=""
summary="$(cat "$work/out")"
# 4 HTTP, 2 gRPC and serve's exports without the token (one per service: 4) refused, each
# counted under its reason; 3 requests and serve's 4 exports with the token accepted (2 + 6
# spans).
grep -qF -- "requests  17 received, 10 refused (unauthenticated 10)" <<<"$summary" \
  || fail "summary does not count the unauthenticated requests"
grep -qF -- "spans     8 received, 8 accepted, 0 refused (none)" <<<"$summary" \
  || fail "summary does not count the spans let in"
if grep -qF -- "$TOKEN" "$work/out" "$work/err"; then fail "the sink printed the token"; fi
[ ! -s "$work/err" ] || fail "unexpected stderr (a loopback sink with a header needs no warning)"
echo "ok   every refusal counted as unauthenticated; the token never printed"
