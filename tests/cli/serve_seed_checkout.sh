#!/usr/bin/env bash
# Acceptance: `traceproof serve seed-checkout` + `traceproof sink --print-trees` + one curl
# prints the seed article's tree: gateway POST /checkout -> auth validate-token, orders
# create-order -> orders INSERT orders, payments charge-card -> payments POST stripe.
# usage: serve_seed_checkout.sh TRACEPROOF_BINARY
set -euo pipefail
bin="$1"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$work"/*.out; do echo "--- $f" >&2; cat "$f" >&2; done; exit 1; }
wait_for() {  # wait_for FILE SED_EXPR -> prints the match
  for _ in $(seq 100); do
    v=$(sed -n "$2" "$1" 2>/dev/null)
    [ -n "$v" ] && { echo "$v"; return; }
    sleep 0.1
  done
}

"$bin" sink --grpc 127.0.0.1:0 --http off --print-trees --quiet-ms 300 --duration 60 >"$work/sink.out" 2>&1 &
sink=$!
grpc=$(wait_for "$work/sink.out" 's#^otlp/grpc listening on .*:\([0-9]*\)$#\1#p')
[ -n "$grpc" ] || fail "sink did not start"
"$bin" serve seed-checkout --scale 0.05 --otlp-endpoint "127.0.0.1:$grpc" --duration 60 >"$work/serve.out" 2>&1 &
serve=$!
gateway=$(wait_for "$work/serve.out" 's#^service gateway listening on .*:\([0-9]*\)$#\1#p')
[ -n "$gateway" ] || fail "serve did not start"
status=$(curl -s -o "$work/curl.out" -w '%{http_code}' --max-time 20 -X POST "http://127.0.0.1:$gateway/checkout")
[ "$status" = 200 ] || fail "POST /checkout answered $status"
kill -TERM "$serve"; wait "$serve" || fail "serve exited non-zero"
for _ in $(seq 50); do grep -q '^trace ' "$work/sink.out" && break; sleep 0.1; done
kill -TERM "$sink"; wait "$sink" || fail "sink exited non-zero"

# The tree, as printed: indentation (2 spaces per level after the leading 2) and names.
tree=$(sed -n '/^trace /,/^$/p' "$work/sink.out" | awk 'NR>1 && NF {
  match($0, /^ */); depth=(RLENGTH-2)/2; svc=$1; $1=""; sub(/^ +/, "");
  name=$0; sub(/ +[0-9.]+ (s|ms|µs|ns)$/, "", name); print depth, svc, name }')
want="0 gateway POST /checkout
1 auth validate-token
1 orders create-order
2 orders INSERT orders
2 payments charge-card
3 payments POST stripe"
[ "$tree" = "$want" ] || fail "tree is
$tree
want
$want"
echo "ok   seed-checkout tree as in the seed"
