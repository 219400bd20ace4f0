#!/usr/bin/env bash
# Acceptance for `sink: { require_headers }` in `traceproof run`:
#   - without the variable the scenario names, it does not load: exit 2 at file:line:col,
#     naming the variable (run and validate);
#   - with it, scenarios/sink-require-headers.yaml passes (the run's services send the token),
#     also with the sink listening beyond loopback (--sink-listen 0.0.0.0:0), and warns of
#     nothing; the token appears in no output and no file of the results;
#   - the same listen flags for a scenario without require_headers warn on stderr, naming
#     --require-header.
# usage: run_require_headers.sh TRACEPROOF_BINARY SOURCE_DIR
set -uo pipefail
bin="$1"
src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; tail -40 "$work"/*.err >&2; exit 1; }
scenario="$src/scenarios/sink-require-headers.yaml"

env -u TRACEPROOF_SINK_TOKEN "$bin" run "$scenario" --out "$work/unset" >"$work/unset.out" 2>"$work/unset.err"
rc=$?
[ "$rc" = 2 ] || fail "run without TRACEPROOF_SINK_TOKEN exited $rc, want 2"
grep -qE "sink-require-headers.yaml:[0-9]+:[0-9]+: require_headers: authorization: \\$\\{TRACEPROOF_SINK_TOKEN\\} is not set" \
  "$work/unset.err" || fail "the error is not positioned or does not name the variable"
env -u TRACEPROOF_SINK_TOKEN "$bin" validate "$scenario" >"$work/validate.out" 2>"$work/validate.err"
[ $? = 2 ] || fail "validate without TRACEPROOF_SINK_TOKEN did not exit 2"
echo "ok   unset TRACEPROOF_SINK_TOKEN -> exit 2 at file:line:col naming it"

TRACEPROOF_SINK_TOKEN="tp-run-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export TRACEPROOF_SINK_TOKEN
"$bin" run "$scenario" --out "$work/green" --sink-listen 0.0.0.0:0 --sink-listen-http 0.0.0.0:0 \
  >"$work/green.out" 2>"$work/green.err"
rc=$?
[ "$rc" = 0 ] || fail "run with the token exited $rc, want 0"
grep -q "verdict: PASS" "$work/green.out" || fail "no PASS verdict"
grep -qF "exports must carry the header(s) authorization" "$work/green.err" \
  || fail "the run does not say which header its sink requires"
if grep -q "warning" "$work/green.err"; then fail "warned although the sink requires a header"; fi
if grep -rqF -- "$TRACEPROOF_SINK_TOKEN" "$work/green" "$work/green.out" "$work/green.err"; then
  fail "the token is in $(grep -rlF -- "$TRACEPROOF_SINK_TOKEN" "$work" | head -3)"
fi
echo "ok   the services send the token: PASS; no warning; the token in no output or results file"

cat >"$work/open.yaml" <<'YAML'
name: open-sink
services: { preset: checkout-baseline }
load:
  - { route: "gateway POST /checkout", arrival: constant, rate: 5/s, duration: 1s }
checks:
  - throughput: { loss: "== 0" }
YAML
"$bin" run "$work/open.yaml" --out "$work/open" --sink-listen 0.0.0.0:0 \
  >"$work/open.out" 2>"$work/open.err" || fail "the open-sink run failed"
grep -qF "traceproof run: warning: the sink's OTLP/gRPC receiver (--sink-listen) listens on 0.0.0.0:0" \
  "$work/open.err" || fail "no warning for --sink-listen 0.0.0.0:0 without a required header"
grep -qF -- "--require-header" "$work/open.err" || fail "the warning says no remedy"
if grep -q "OTLP/HTTP receiver (--sink-listen-http) listens" "$work/open.err"; then
  fail "warned about the HTTP receiver, which stayed on loopback"
fi
echo "ok   --sink-listen 0.0.0.0:0 without require_headers warns, naming --require-header"
