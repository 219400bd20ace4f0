#!/usr/bin/env bash
# Two `traceproof bench send` processes started together into one `traceproof sink` send
# disjoint trace and span ids: the sink counts no duplicate span id and no late span. The
# broken twin (both given the same --seed, as every sender was before it drew its own) must
# show duplicates, or this test could not fail.
# usage: concurrent_senders.sh TRACEPROOF_BINARY
set -euo pipefail
bin="$1"
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$work"/*.out; do echo "--- $f:" >&2; cat "$f" >&2; done; exit 1; }

# run_pair NAME [SEND ARGS...]: a sink, two senders at once, then the sink's summary line.
run_pair() {
  local name=$1
  shift
  "$bin" sink --grpc 127.0.0.1:0 --http off --duration 30 >"$work/$name-sink.out" 2>&1 &
  pid=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's#^otlp/grpc listening on .*:\([0-9]*\)$#\1#p' "$work/$name-sink.out")
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || fail "$name: sink did not print its port"
  local send=("$bin" bench send --port "$port" --seconds 0.5 --connections 1 --spans 5
              --attributes 0 "$@")
  "${send[@]}" >"$work/$name-a.out" 2>&1 &
  local a=$!
  "${send[@]}" >"$work/$name-b.out" 2>&1 &
  local b=$!
  wait "$a" || fail "$name: sender a failed"
  wait "$b" || fail "$name: sender b failed"
  kill -TERM "$pid"
  wait "$pid" || fail "$name: sink exited $?"
  pid=""
  grep -E '^  traces ' "$work/$name-sink.out" || fail "$name: no traces line in the summary"
}

summary=$(run_pair own)
echo "own seeds:  $summary"
sa=$(sed -n 's/.*; seed \([0-9]*\)$/\1/p' "$work/own-a.out")
sb=$(sed -n 's/.*; seed \([0-9]*\)$/\1/p' "$work/own-b.out")
[ -n "$sa" ] && [ -n "$sb" ] || fail "a sender did not print its seed"
[ "$sa" != "$sb" ] || fail "both senders drew seed $sa"
grep -qF -- ' 0 duplicate span ids' <<<"$summary" || fail "own seeds: duplicate span ids"
grep -qF -- ' 0 late spans' <<<"$summary" || fail "own seeds: late spans"
grep -qF -- ' 0 orphan spans' <<<"$summary" || fail "own seeds: orphan spans"

twin=$(run_pair same --seed 7)
echo "same seed:  $twin"
if grep -qF -- ' 0 duplicate span ids' <<<"$twin"; then
  fail "the same --seed twice gave no duplicate span ids: this test cannot see a collision"
fi
echo "PASS: two concurrent senders sent disjoint ids (seeds $sa, $sb); one --seed twice collides"
