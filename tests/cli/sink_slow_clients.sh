#!/usr/bin/env bash
# Slow and idle clients do not block a valid exporter: with 100 idle connections and 100
# slow-loris clients (a request's headers one byte every 0.2 s) held open on the sink's
# OTLP/HTTP port, five valid exports each get 200 within 3 s, and the sink counts their spans.
# (Issue 18 item 8, the slow-client half; the connection cap is not built yet.)
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
echo "ok"
