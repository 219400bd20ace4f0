#!/usr/bin/env bash
# Slow and idle clients do not block a valid exporter: with 100 idle connections and 100
# slow-loris clients (a request's headers one byte every 0.2 s) held open on the sink's
# OTLP/HTTP port, five valid exports each get 200 within 3 s, and the sink counts their spans.
# With --max-connections 50, 60 idle connections: the 10 beyond the cap are answered 503 with
# Retry-After and closed, counted as too_many_connections; once the idle ones go, an export
# gets in again.
# usage: sink_slow_clients.sh TRACEPROOF_BINARY
set -uo pipefail
bin="$1"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- sink output:" >&2; tail -20 "$work/out" >&2; exit 1; }

"$bin" sink --grpc off --http 127.0.0.1:0 --quiet-ms 100 --duration 60 >"$work/out" 2>&1 &
sink=$!
for _ in $(seq 100); do
  port=$(sed -n 's#^otlp/http listening on .*:\([0-9]*\)$#\1#p' "$work/out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "${port:-}" ] || fail "sink did not print its port"

# 200 connections held for 20 s: half silent, half dripping a request's headers.
python3 - "$port" "$work/held" <<'PY' &
import socket, sys, time
port, flag = int(sys.argv[1]), sys.argv[2]
idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
head = b"POST /v1/traces HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nX-Slow: "
open(flag, "w").write("%d\n" % (len(idle) + len(slow)))
deadline = time.time() + 20
i = 0
while time.time() < deadline:
    for s in slow:
        try:
            s.send(head[i:i + 1] if i < len(head) else b"a")
        except OSError:
            pass
    i += 1
    time.sleep(0.2)
PY
for _ in $(seq 100); do [ -s "$work/held" ] && break; sleep 0.1; done
[ "$(cat "$work/held" 2>/dev/null)" = 200 ] || fail "could not hold 200 connections"

for n in 1 2 3 4 5; do
  body="{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"curl\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60$n\",\"spanId\":\"eee19b7ec3c1b17$n\",\"name\":\"s$n\",\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\"}]}]}]}"
  start=$(date +%s.%N)
  code=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "$body" "http://127.0.0.1:$port/v1/traces") || code="timeout"
  took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  [ "$code" = 200 ] || fail "export $n behind 200 slow clients: $code after ${took}s"
  echo "ok   export $n -> 200 in ${took}s beside 200 idle and slow-loris connections"
done
kill -TERM "$sink"; wait "$sink" 2>/dev/null
grep -qE "^  spans +5 received, 5 accepted, 0 refused" "$work/out" ||
  fail "the sink's summary does not count the 5 spans, all accepted"
echo "ok   the 5 spans counted, all accepted"

"$bin" sink --grpc off --http 127.0.0.1:0 --quiet-ms 100 --duration 60 --max-connections 50 \
  >"$work/out" 2>&1 &
sink=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's#^otlp/http listening on .*:\([0-9]*\)$#\1#p' "$work/out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the capped sink did not print its port"
refused=$(python3 - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(60)]
time.sleep(0.5)
refused = 0
for c in conns:
    c.settimeout(0.2)
    try:
        answer = c.recv(4096)
    except socket.timeout:
        continue
    if answer.startswith(b"HTTP/1.1 503") and b"Retry-After: 1" in answer:
        refused += 1
print(refused)
for c in conns:
    c.close()
PY
)
[ "$refused" = 10 ] || fail "with --max-connections 50, $refused of 60 connections were refused (want 10)"
sleep 0.3
body='{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc6aa","spanId":"eee19b7ec3c1b17a","name":"after","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}'
code=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  --data-binary "$body" "http://127.0.0.1:$port/v1/traces") || code="timeout"
[ "$code" = 200 ] || fail "an export after the idle connections closed: $code"
kill -TERM "$sink"; wait "$sink" 2>/dev/null
grep -qF "refused (too_many_connections 10)" "$work/out" ||
  fail "the summary does not count 10 connections as too_many_connections"
echo "ok   --max-connections 50: 10 of 60 idle connections refused (503, Retry-After), counted; an export gets in after"
