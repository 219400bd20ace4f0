#!/usr/bin/env bash
# `traceproof run --tls-cert --tls-key`: the run's sink over TLS without editing the scenario.
#   - with a certificate file that ends with its CA (server.pem + ca.pem), the run's mocks trust
#     it, export over TLS with the token, and scenarios/sink-require-headers.yaml passes; with
#     the leaf alone too (the mocks pin what the file holds);
#   - with a certificate that does not name localhost the mocks refuse the sink: their exports
#     never arrive and the run FAILS (exit 1), so a TLS setting the mocks cannot use is never a
#     silent pass;
#   - --tls-cert without --tls-key, or a key of another certificate: exit 2.
# The certificates are made at test time by scripts/test-certs.
# usage: run_tls_flags.sh TRACEPROOF_BINARY SOURCE_DIR
set -uo pipefail
bin="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; for f in "$work"/*.log; do echo "--- $f" >&2; tail -30 "$f" >&2; done; exit 1; }
"$src/scripts/test-certs" "$work/certs" || fail "scripts/test-certs"
certs="$work/certs"
cat "$certs/server.pem" "$certs/ca.pem" >"$work/chain.pem"
export TRACEPROOF_SINK_TOKEN="tp-tls-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
scenario="$src/scenarios/sink-require-headers.yaml"

"$bin" run "$scenario" --out "$work/green" --tls-cert "$work/chain.pem" --tls-key "$certs/server.key" \
  >"$work/green.log" 2>&1 || fail "run with --tls-cert (chain with its CA): exit $?"
grep -qF "sink: TLS on both receivers" "$work/green.log" || fail "the run does not say its sink speaks TLS"
echo "ok   --tls-cert with its CA: the mocks export over TLS, the scenario passes"

"$bin" run "$scenario" --out "$work/leaf" --tls-cert "$certs/server.pem" --tls-key "$certs/server.key" \
  >"$work/leaf.log" 2>&1 || fail "run with --tls-cert (the leaf alone): exit $?"
echo "ok   --tls-cert with the leaf alone: the mocks pin it, the scenario passes"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/other.key" -out "$work/other.pem" -days 1 \
  -subj "/CN=elsewhere.example" -addext "subjectAltName=DNS:elsewhere.example" >/dev/null 2>&1 \
  || fail "openssl"
"$bin" run "$scenario" --out "$work/other" --tls-cert "$work/other.pem" --tls-key "$work/other.key" \
  >"$work/other.log" 2>&1
rc=$?
[ "$rc" = 1 ] || fail "run with a certificate for another name: exit $rc, want 1 (FAIL)"
echo "ok   a certificate that does not name localhost: the mocks refuse it, nothing arrives, the run FAILS"

"$bin" run "$scenario" --out "$work/nokey" --tls-cert "$work/chain.pem" >"$work/nokey.log" 2>&1
[ $? = 2 ] || fail "--tls-cert without --tls-key: want exit 2"
grep -qF -- "--tls-cert and --tls-key go together" "$work/nokey.log" || fail "the error does not say why"
"$bin" run "$scenario" --out "$work/mismatch" --tls-cert "$work/chain.pem" --tls-key "$certs/client.key" \
  >"$work/mismatch.log" 2>&1
[ $? = 2 ] || fail "a key of another certificate: want exit 2"
echo "ok   --tls-cert without --tls-key, or with another certificate's key: exit 2"
