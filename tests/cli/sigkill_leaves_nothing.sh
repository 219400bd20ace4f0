#!/usr/bin/env bash
# Nothing outlives traceproof, even its SIGKILL: `traceproof run` on a scenario with a broker
# (RabbitMQ: the script, beam.smp, erl_child_setup, epmd), on one with a Collector, on one
# with the user's app, and `traceproof broker` on its own, are each
# SIGKILLed once what it started is up (its log lines say so), and within a few seconds no
# process of theirs is left: none of the processes that descended from traceproof before the
# kill, and none whose command line or environment names the run's node or the Collector's
# ports. Zombies do not count (they are dead; who reaps them is the init process's business).
# usage: sigkill_leaves_nothing.sh TRACEPROOF_BINARY SOURCE_DIR
set -uo pipefail
bin="$1"
src="$2"
work="$(mktemp -d)"
# Only what this script started is stopped here: a process left by a failed run is reported,
# never killed by a guess at what it is.
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Waits (at most $3 s) until file $1 has a line matching the regex $2; prints that line.
wait_line() {
  local deadline=$(( $(date +%s) + $3 )) line
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if line=$(grep -E -m1 "$2" "$1"); then echo "$line"; return 0; fi
    sleep 0.2
  done
  return 1
}

# Live (not zombie) processes among the pids on line 1 of stdin, or naming any of the words
# on line 2 (each specific to this run: a node name, a directory, NAME=PORT) in their command
# line or environment. Read from stdin so this scan's own command line names nothing.
live_of_run() {
  python3 -c '
import os, sys
pids = set(sys.stdin.readline().split())
needles = [n.encode() for n in sys.stdin.readline().split()]
if not needles or any(len(n) < 12 for n in needles):
    sys.exit("unspecific words: %r" % needles)
me = str(os.getpid())
for p in os.listdir("/proc"):
    if not p.isdigit() or p == me:
        continue
    try:
        stat = open(f"/proc/{p}/stat", "rb").read()
        if stat[stat.rindex(b")") + 2:][:1] == b"Z":
            continue
        text = open(f"/proc/{p}/cmdline", "rb").read() + open(f"/proc/{p}/environ", "rb").read()
        comm = open(f"/proc/{p}/comm").read().strip()
    except OSError:
        continue
    if p in pids or any(n in text for n in needles):
        print(p, comm)
'
}

# Every descendant of pid $1, by walking the parent links /proc has now.
descendants() {
  ps -eo pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2 }
    END { for (p in parent) { q = p; while (q in parent && q != root && q > 1) q = parent[q];
                              if (q == root && p != root) print p } }'
}

# Runs scenario $1, waits for log line $2 (what it started is up) and the load, SIGKILLs it.
# The function $3 sets $names (words that name the run's processes) and $wanted (commands that
# must be among traceproof's descendants, or the test would prove nothing) from that line.
kill_run_and_check() {
  local scenario="$1" name
  name=$(basename "$scenario" .yaml)
  kill_and_check "$name" "$2" "$3" "^  load: " "$bin" run "$scenario" --out "$work/$name"
}

# The same for any command: name $1, ready line $2, names function $3, then (unless $4 is
# empty) a line $4 that says the work began; the command is the rest.
kill_and_check() {
  local name="$1" ready="$2" names_of="$3" began="$4"
  shift 4
  local log="$work/$name.log"
  "$@" >"$log" 2>&1 &
  local pid=$!
  local line
  line=$(wait_line "$log" "$ready" 120) || fail "$name: no '$ready' line: $(tail -20 "$log")"
  if [ -n "$began" ]; then
    wait_line "$log" "$began" 60 >/dev/null || fail "$name: the work did not start: $(tail -20 "$log")"
  fi
  "$names_of" "$line" || fail "$name: cannot tell its processes from: $line"
  local before
  before=$(descendants "$pid" | tr '\n' ' ')
  local comms
  comms=$(for p in $before; do cat "/proc/$p/comm" 2>/dev/null; done | tr '\n' ' ')
  for want in $wanted; do
    [[ " $comms " == *" $want "* ]] || fail "$name: no $want among traceproof's descendants: $comms"
  done
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  local killed_at left=""
  killed_at=$(date +%s.%N)
  for _ in $(seq 50); do
    left=$(printf '%s\n%s\n' "$before" "$names" | live_of_run) || fail "$name: the scan failed"
    [ -z "$left" ] && break
    sleep 0.1
  done
  if [ -n "$left" ]; then
    fail "$name: 5 s after SIGKILL these are still running: $(echo "$left" | tr '\n' ';')"
  fi
  printf '%s: %d processes gone %s s after SIGKILL (%s)\n' "$name" "$(echo $before | wc -w)" \
    "$(awk -v a="$killed_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" "$comms"
}

# "broker: rabbitmq traceproof-PID-SUFFIX@localhost on 127.0.0.1:PORT, ready after ..." (run),
# "broker: rabbitmq traceproof-PID-SUFFIX@localhost (pid N) ready after ..." (traceproof broker)
broker_names() {
  local node
  node=$(echo "$1" | sed -nE 's/^ *broker: rabbitmq (traceproof-[0-9]+-[A-Za-z0-9]{6}@localhost) .*/\1/p')
  [ -n "$node" ] || return 1
  local suffix=${node%@*}
  suffix=${suffix##*-}
  names="$node /tmp/traceproof-rabbitmq.$suffix"
  rm_dir="/tmp/traceproof-rabbitmq.$suffix"
  wanted="traceproof epmd rabbitmq-server beam.smp"  # traceproof: the reaper
}

# "collector: BINARY with CONFIG; otlp/grpc on 127.0.0.1:PORT, metrics on 127.0.0.1:PORT"
collector_names() {
  local grpc metrics
  grpc=$(echo "$1" | sed -nE 's/.*otlp\/grpc on 127\.0\.0\.1:([0-9]+), metrics.*/\1/p')
  metrics=$(echo "$1" | sed -nE 's/.*, metrics on 127\.0\.0\.1:([0-9]+)$/\1/p')
  [[ "$grpc" =~ ^[0-9]+$ && "$metrics" =~ ^[0-9]+$ ]] || return 1
  names="TRACEPROOF_OTLP_GRPC_PORT=$grpc TRACEPROOF_METRICS_PORT=$metrics"
  local binary
  binary=$(echo "$1" | sed -E 's/.*collector: ([^ ]+) with .*/\1/')
  wanted="traceproof $(basename "$binary" | cut -c1-15)"  # comm holds 15 characters
}

# "app checkout on 127.0.0.1:PORT (traceproof.run=ID), ready after ...": the run id is in the
# app's OTEL_RESOURCE_ATTRIBUTES.
app_names() {
  local id
  id=$(echo "$1" | sed -nE 's/.*\(traceproof\.run=([0-9a-f]+)\).*/\1/p')
  [ -n "$id" ] || return 1
  names="traceproof.run=$id"
  wanted="traceproof python"
}

rm_dir=""
kill_run_and_check "$src/scenarios/queue-broker-restart.yaml" "^  broker: rabbitmq " broker_names
# The broker's directory is the one thing left (only a graceful stop removes it).
[ -n "$rm_dir" ] && rm -rf "$rm_dir"
kill_run_and_check "$src/scenarios/collector-passthrough.yaml" "^  collector: .* otlp/grpc on " \
  collector_names
# The user's app (needs .venv from scripts/bootstrap).
kill_run_and_check "$src/scenarios/app-python-checkout.yaml" "^  app checkout on " app_names
# `traceproof broker` on its own, SIGKILLed once it printed its URL.
rm_dir=""
kill_and_check broker "^broker: rabbitmq .* ready after " broker_names "^amqp url: " \
  "$bin" broker --duration 120
[ -n "$rm_dir" ] && rm -rf "$rm_dir"
echo "ok"
