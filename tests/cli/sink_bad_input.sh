#!/usr/bin/env bash
# Acceptance: the running sink answers each kind of bad input with its documented status and
# a message, keeps serving, and counts every refusal in its summary.
#   truncated protobuf -> 400, invalid JSON -> 400, wrong content type -> 415,
#   gzip bomb -> 413, all-zero trace id -> 200 with partial_success, then a good request -> 200.
# usage: sink_bad_input.sh TRACEPROOF_BINARY
set -euo pipefail
bin="$1"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- sink output:" >&2; cat "$work/out" >&2; exit 1; }

"$bin" sink --grpc off --http 127.0.0.1:0 --max-body-mib 4 --quiet-ms 100 --duration 60 \
  --dump "$work/dump.jsonl" >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do
  port=$(sed -n 's#^otlp/http listening on .*:\([0-9]*\)$#\1#p' "$work/out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || fail "sink did not print its port"
url="http://127.0.0.1:$port/v1/traces"

post() {  # post NAME CONTENT_TYPE FILE [EXTRA CURL ARGS...] -> prints status, body in $work/NAME.body
  local name=$1 type=$2 file=$3
  shift 3
  curl -s --max-time 20 -o "$work/$name.body" -w '%{http_code}' -H "Content-Type: $type" "$@" \
    --data-binary "@$file" "$url"
}
expect() {  # expect NAME WANT_STATUS GOT_STATUS WANT_SUBSTRING
  [ "$3" = "$2" ] || fail "$1: status $3, want $2 (body: $(head -c 300 "$work/$1.body"))"
  grep -qaF -- "$4" "$work/$1.body" || fail "$1: body lacks '$4': $(head -c 300 "$work/$1.body")"
  echo "ok   $1 -> $3"
}

# A valid request with 2 spans, one with an all-zero trace id, as OTLP/JSON.
cat >"$work/zero.json" <<'JSON'
{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"curl"}}]},
 "scopeSpans":[{"spans":[
  {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"good",
   "startTimeUnixNano":"1","endTimeUnixNano":"2"},
  {"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b175","name":"zero"}]}]}]}
JSON
# The same good span as protobuf, made by the sink's own JSON path is not available from the
# shell, so the truncated-protobuf case cuts a hand-encoded request:
# ExportTraceServiceRequest{resource_spans{scope_spans{spans{name: 8 bytes promised, 4 sent}}}}.
printf '\x0a\x0a\x12\x08\x12\x06\x2a\x08abcd' >"$work/truncated.pb"
echo '{"resourceSpans": [' >"$work/invalid.json"
echo 'hello' >"$work/hello.txt"
# 64 MiB of zeros, gzip'd to ~64 KiB: the sink must stop inflating at --max-body-mib.
head -c $((64 << 20)) /dev/zero | gzip -c >"$work/bomb.gz"

expect truncated 400 "$(post truncated application/x-protobuf "$work/truncated.pb")" "resource_spans[0].scope_spans[0].spans[0].name"
expect invalid_json 400 "$(post invalid_json application/json "$work/invalid.json")" "invalid JSON"
expect wrong_type 415 "$(post wrong_type text/plain "$work/hello.txt")" "application/x-protobuf"
expect gzip_bomb 413 "$(post gzip_bomb application/x-protobuf "$work/bomb.gz" -H 'Content-Encoding: gzip')" "exceeds"
expect zero_trace_id 200 "$(post zero_trace_id application/json "$work/zero.json")" '"rejectedSpans":"1"'

kill -TERM "$pid"
wait "$pid" || fail "sink exited non-zero after SIGTERM"
summary="$(cat "$work/out")"
# Here-strings, not `echo | grep -q` under pipefail: grep -q may leave before echo is done, and
# the SIGPIPE would fail the pipeline although the line is there.
grep -qF -- "requests  5 received, 4 refused (malformed 2, too_large 1, unsupported_media_type 1)" <<<"$summary" \
  || fail "summary does not count the refused requests"
grep -qF -- "spans     3 received, 1 accepted, 2 refused (invalid_trace_id 1, malformed 1)" <<<"$summary" \
  || fail "summary does not count the refused spans"
grep -q '"name":"good"' "$work/dump.jsonl" || fail "the good span is not in the dump"
echo "ok   summary counts every refusal; the sink kept serving"
