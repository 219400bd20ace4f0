#!/usr/bin/env bash
# ctest compose.loopback: compose/docker-compose.yaml's topology as plain processes on
# 127.0.0.1, so what Compose would run is tested without a Docker engine:
#
#   traceproof serve checkout-baseline --port-base --admin-port   (mock-services)
#     -> otelcol-traceproof with the seed config, endpoints from env  (otel-collector)
#     -> traceproof run compose/scenarios/checkout.yaml --sink-listen --forward-to  (traceproof)
#     -> traceproof sink                                              (stand-in for jaeger)
#
# Asserts the run's verdict (exit 0, every check passed), that the forward target received
# every span the run's sink accepted and the run reported no forwarding failure, and that no
# process is left behind. Bounded: every wait has a deadline.
#
# usage: tests/compose/loopback.sh TRACEPROOF_BINARY REPO_ROOT
set -uo pipefail
bin="$1"
root="$2"
work="$(mktemp -d "${TMPDIR:-/tmp}/traceproof-compose-loopback.XXXXXX")"
pids=()

fail() {
  echo "compose.loopback: FAIL: $*"
  for f in "$work"/*.log; do
    echo "---- $(basename "$f") (last 25 lines)"
    tail -25 "$f"
  done
  exit 1
}

cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

collector="$("$root/scripts/build-collector" --path)"
[ -x "$collector" ] || fail "the Collector $collector is missing: run scripts/build-collector"

# Free loopback ports: five in a row for the services (--port-base), and eight more.
read -r base admin c_grpc c_http c_metrics sink jaeger <<<"$(python3 - <<'PY'
import socket
def free():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def run_of(n):
    for _ in range(200):
        b = free()
        if b + n > 65535: continue
        socks = []
        try:
            for p in range(b, b + n):
                s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
            return b
        except OSError:
            pass
        finally:
            for s in socks: s.close()
    raise SystemExit("no run of free ports")
print(run_of(5), *[free() for _ in range(6)])
PY
)"
[ -n "$jaeger" ] || fail "could not find free ports"

# Waits until 127.0.0.1:PORT accepts connections, or fails naming WHAT.
wait_port() {
  local port="$1" what="$2" pid="$3"
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || fail "$what exited before listening on $port"
    sleep 0.1
  done
  fail "$what did not listen on $port within 20 s"
}

# jaeger: a second traceproof sink receiving the forward.
"$bin" sink --grpc "127.0.0.1:$jaeger" --http off >"$work/jaeger.log" 2>&1 &
jaeger_pid=$!
pids+=("$jaeger_pid")
wait_port "$jaeger" "the stand-in Jaeger (traceproof sink)" "$jaeger_pid"

# otel-collector: the seed config, unchanged, its endpoints from the environment.
TRACEPROOF_OTLP_HOST=127.0.0.1 TRACEPROOF_OTLP_GRPC_PORT="$c_grpc" TRACEPROOF_OTLP_HTTP_PORT="$c_http" \
  TRACEPROOF_METRICS_PORT="$c_metrics" TRACEPROOF_SINK_ENDPOINT="127.0.0.1:$sink" \
  "$collector" --config="$root/compose/collector/otel-collector-config.yaml" \
  >"$work/collector.log" 2>&1 &
collector_pid=$!
pids+=("$collector_pid")
wait_port "$c_grpc" "the Collector" "$collector_pid"

# mock-services: fixed ports from $base, admin endpoint, spans to the Collector.
OTEL_BSP_SCHEDULE_DELAY=200 OTEL_BSP_MAX_QUEUE_SIZE=65536 \
  "$bin" serve checkout-baseline --host 127.0.0.1 --port-base "$base" --admin-port "$admin" \
  --otlp-endpoint "127.0.0.1:$c_grpc" >"$work/serve.log" 2>&1 &
serve_pid=$!
pids+=("$serve_pid")
wait_port "$admin" "traceproof serve's admin endpoint" "$serve_pid"
grep -q "service gateway listening on 127.0.0.1:$base" "$work/serve.log" \
  || fail "serve did not put the gateway on --port-base $base"

# traceproof: the compose scenario, addresses from the environment as in docker-compose.yaml.
export TRACEPROOF_GATEWAY="127.0.0.1:$base" TRACEPROOF_ADMIN="127.0.0.1:$admin"
export TRACEPROOF_COLLECTOR="127.0.0.1:$c_grpc" TRACEPROOF_COLLECTOR_METRICS="127.0.0.1:$c_metrics"
"$bin" validate "$root/compose/scenarios/checkout.yaml" >"$work/validate.log" 2>&1 \
  || fail "traceproof validate rejected compose/scenarios/checkout.yaml"
timeout 120 "$bin" run "$root/compose/scenarios/checkout.yaml" --sink-listen "127.0.0.1:$sink" \
  --forward-to "127.0.0.1:$jaeger" --out "$work/results" >"$work/run.log" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "traceproof run exited $rc (want 0: every check passed)"

summary="$work/results/summary.json"
python3 - "$summary" <<'PY' || fail "summary.json does not show the checked, forwarded run"
import json, sys
s = json.load(open(sys.argv[1]))
spans = s["spans"]
f = s["forward"]
hops = {h["name"]: h for h in spans["hops"]}
problems = []
if s["verdict"] != "pass" or not s["as_expected"]: problems.append(f"verdict {s['verdict']}")
if spans["ground_truth"] < 500: problems.append(f"only {spans['ground_truth']} ground-truth spans")
if spans["sink_accepted"] < spans["ground_truth"]: problems.append("the sink got fewer spans than the services emitted")
if "collector" not in hops or hops["collector"]["received"] < spans["ground_truth"]:
    problems.append(f"collector hop missing or short: {hops.get('collector')}")
if f["spans_forwarded"] != spans["sink_accepted"]: problems.append(f"forwarded {f['spans_forwarded']} of {spans['sink_accepted']}")
if f["requests_failed"] or f["requests_dropped"]: problems.append(f"forwarding failures: {f}")
for p in problems: print("summary.json:", p)
print(f"ground truth {spans['ground_truth']} spans, sink accepted {spans['sink_accepted']}, forwarded {f['spans_forwarded']}")
sys.exit(1 if problems else 0)
PY
forwarded="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["forward"]["spans_forwarded"])' "$summary")"

# Stop in reverse order of the chain and check each went, and what the stand-in Jaeger got.
for pid in "$serve_pid" "$collector_pid" "$jaeger_pid"; do
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && fail "process $pid did not stop within 15 s of SIGTERM"
  wait "$pid" 2>/dev/null
done
pids=()
received="$(sed -n 's/^ *spans *\([0-9]*\) received, \([0-9]*\) accepted.*/\2/p' "$work/jaeger.log")"
[ "$received" = "$forwarded" ] \
  || fail "the stand-in Jaeger accepted '${received}' spans, the run forwarded $forwarded"
# Nothing of this test may outlive it.
left="$(pgrep -f -- "$work" || true)"
[ -z "$left" ] || fail "processes left behind: $left"
for port in "$base" "$admin" "$c_grpc" "$sink" "$jaeger"; do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && fail "something still listens on $port"
done
echo "compose.loopback: OK: verdict PASS; $forwarded spans checked and forwarded to the stand-in Jaeger, which accepted $received"
