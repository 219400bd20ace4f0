#!/usr/bin/env bash
# `traceproof run` exit codes and Ctrl-C: 2 for an invalid scenario (with file:line:col),
# 3 when a service cannot bind its port or the user's app does not start (environment), and
# SIGINT or SIGTERM in the middle of a long load stops within seconds, exits 1 and still writes
# summary.json with status "interrupted".
# usage: run_exit_codes.sh TRACEPROOF_BINARY
set -uo pipefail
bin="$1"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 2: invalid scenario, position named.
cat >"$work/bad.yaml" <<'YAML'
name: bad
services: { preset: checkout-baseline }
load:
  - { route: "gateway POST /checkout", arrival: constant, rate: fast, duration: 1s }
checks:
  - throughput: { loss: "== 0" }
YAML
"$bin" run "$work/bad.yaml" --out "$work/bad" 2>"$work/bad.err"; rc=$?
[ "$rc" = 2 ] || fail "invalid scenario exited $rc, want 2"
grep -q "bad.yaml:4:" "$work/bad.err" || fail "no file:line:col in: $(cat "$work/bad.err")"

# 3: a service's fixed port is taken.
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$work/port" &
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
cat >"$work/busy.yaml" <<YAML
name: busy
services:
  gateway: { port: $port, routes: { "GET /": [ work: { name: w, latency: 1ms } ] } }
load:
  - { route: "gateway GET /", arrival: constant, rate: 10/s, duration: 1s }
checks:
  - throughput: { loss: "== 0" }
YAML
"$bin" run "$work/busy.yaml" --out "$work/busy" >"$work/busy.out" 2>&1; rc=$?
[ "$rc" = 3 ] || fail "busy port exited $rc, want 3: $(tail -5 "$work/busy.out")"
grep -q "$port" "$work/busy.out" || fail "the message does not name the port: $(tail -5 "$work/busy.out")"

# 3: the user's app exits before it is ready; the message names the app and its log, quoted.
cat >"$work/app.yaml" <<'YAML'
name: app-exits
services:
  gateway: { routes: { "GET /": [ call: shop GET / ] } }
  shop:
    app: { command: [sh, -c, "echo shop cannot find its config >&2; exit 4"] }
load:
  - { route: "gateway GET /", arrival: constant, rate: 10/s, duration: 1s }
checks:
  - throughput: { loss: "== 0" }
YAML
"$bin" run "$work/app.yaml" --out "$work/app" >"$work/app.out" 2>&1; rc=$?
[ "$rc" = 3 ] || fail "an app that exits exited $rc, want 3: $(tail -5 "$work/app.out")"
grep -q "app 'shop'.*exited with status 4 before it was ready" "$work/app.out" ||
  fail "the message does not name the app: $(tail -5 "$work/app.out")"
grep -q "$work/app/apps/shop.log" "$work/app.out" || fail "no log path: $(tail -5 "$work/app.out")"
grep -q "shop cannot find its config" "$work/app.out" || fail "no log tail: $(tail -5 "$work/app.out")"

# Ctrl-C: a 60 s load stopped after ~2 s.
cat >"$work/long.yaml" <<'YAML'
name: long
services: { preset: checkout-baseline }
load:
  - { route: "gateway POST /checkout", arrival: constant, rate: 50/s, duration: 60s }
checks:
  - throughput: { loss: "== 0" }
YAML
# SIGINT (Ctrl-C) and SIGTERM (what CI, Kubernetes and `timeout` send) alike.
for sig in INT TERM; do
  start=$(date +%s)
  "$bin" run "$work/long.yaml" --out "$work/long-$sig" >"$work/long.out" 2>&1 &
  pid=$!
  sleep 3
  kill -"$sig" "$pid"
  wait "$pid"; rc=$?
  elapsed=$(( $(date +%s) - start ))
  [ "$rc" = 1 ] || fail "SIG$sig: interrupted run exited $rc, want 1: $(tail -5 "$work/long.out")"
  [ "$elapsed" -lt 20 ] || fail "SIG$sig: interrupted run took ${elapsed}s to stop"
  python3 - "$work/long-$sig/summary.json" <<'PY' || fail "SIG$sig: summary.json of the interrupted run"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["status"] == "interrupted", s["status"]
assert 0 < s["load"]["sent"] < 3000, s["load"]["sent"]
assert s["as_expected"] is False
PY
done
echo "ok: exit codes 2 and 3 (port, app), SIGINT and SIGTERM stopped the run with a report"
