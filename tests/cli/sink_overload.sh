#!/usr/bin/env bash
# Overload (issue 18 item 8): a sink whose store may hold 20,000 spans, and three span-load
# processes (two over OTLP/gRPC, one over OTLP/HTTP) offering as much as they can for
# SECONDS (default 60). The sink refuses what it cannot hold (429 with Retry-After /
# RESOURCE_EXHAUSTED with RetryInfo, counted as store_full) and never more: the spans it
# accepted are exactly the spans the senders were acknowledged, its RSS stays bounded (sampled
# every second; the bound is printed), and it was really overloaded (it refused at least as
# many spans as it took).
# usage: sink_overload.sh TRACEPROOF_BINARY [SECONDS]
set -uo pipefail
bin="$1"
seconds="${2:-60}"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$work"/*.out; do echo "--- $f" >&2; tail -15 "$f" >&2; done; exit 1; }

"$bin" sink --grpc 127.0.0.1:0 --http 127.0.0.1:0 --max-spans 20000 --max-traces 20000 \
  --quiet-ms 300 --duration $((seconds + 60)) >"$work/sink.out" 2>&1 &
sink=$!
grpc="" http=""
for _ in $(seq 100); do
  grpc=$(sed -n 's#^otlp/grpc listening on .*:\([0-9]*\)$#\1#p' "$work/sink.out")
  http=$(sed -n 's#^otlp/http listening on .*:\([0-9]*\)$#\1#p' "$work/sink.out")
  [ -n "$grpc" ] && [ -n "$http" ] && break
  sleep 0.1
done
[ -n "$grpc" ] && [ -n "$http" ] || fail "the sink did not print its ports"

common=(bench send --no-otel-env --seconds "$seconds" --connections 2 --spans 200 --attributes 5)
"$bin" "${common[@]}" --protocol grpc --port "$grpc" >"$work/send1.out" 2>&1 &
s1=$!
"$bin" "${common[@]}" --protocol grpc --port "$grpc" >"$work/send2.out" 2>&1 &
s2=$!
"$bin" "${common[@]}" --protocol http --port "$http" >"$work/send3.out" 2>&1 &
s3=$!
max_rss=0
while kill -0 "$s1" 2>/dev/null || kill -0 "$s2" 2>/dev/null || kill -0 "$s3" 2>/dev/null; do
  rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$sink/status" 2>/dev/null)
  [ "${rss:-0}" -gt "$max_rss" ] && max_rss=$rss
  sleep 1
done
wait "$s1"; wait "$s2"; wait "$s3"  # a sender that got nothing in exits 3: counted below
kill -TERM "$sink"; wait "$sink" || fail "the sink exited non-zero"

acked=0 status=0
for n in 1 2 3; do
  read -r ok st <<<"$(sed -n 's/^\([0-9]*\) spans in .*errors: connect [0-9]*, status \([0-9]*\),.*/\1 \2/p' "$work/send$n.out")"
  [ -n "$ok" ] || fail "sender $n printed no figures"
  acked=$((acked + ok)) status=$((status + st))
done
read -r received accepted refused <<<"$(sed -n 's/^  spans *\([0-9]*\) received, \([0-9]*\) accepted, \([0-9]*\) refused.*/\1 \2 \3/p' "$work/sink.out")"
[ -n "$accepted" ] || fail "the sink printed no span counts"
echo "senders acknowledged $acked spans ($status requests refused); sink: $received received, $accepted accepted, $refused refused; max RSS $max_rss kB"
[ "$accepted" = "$acked" ] || fail "the sink accepted $accepted spans, the senders were acknowledged $acked"
[ "$status" -gt 0 ] && [ "$refused" -ge "$accepted" ] || fail "not overloaded: refused $refused of $received"
grep -qE "refused \(.*store_full" "$work/sink.out" || fail "the refusals are not counted as store_full"
[ "$max_rss" -gt 0 ] || fail "the sink's RSS was never read"
# 20,000 spans held take a few MB; the bound leaves room for the receivers' buffers.
[ "$max_rss" -lt 200000 ] || fail "the sink's RSS reached $max_rss kB (bound 200000 kB)"
echo "ok   overloaded for ${seconds}s: refusals counted as store_full, accepted == acknowledged, RSS bounded"
