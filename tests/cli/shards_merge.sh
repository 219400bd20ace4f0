#!/usr/bin/env bash
# Issue 16's proof on one machine: checkout-baseline as 3 shards (`run --shard I/3`, a common
# --start-at, each with its own mock services and sink), then `traceproof merge`. The merge is
# checked by something other than itself (shard 1 has two load threads, the others one): the merged request count must be the scenario's
# schedule exactly (2800), the merged span counts the sum of the shards' with zero loss, and the
# merged p99 the p99 of the shards' raw per-request latencies sorted (--keep-latencies), to the
# histogram's resolution. Its broken twins: 2 of 3 shards, a shard given twice, a shard of
# another seed, exit 2 naming what is wrong; `traceproof check` of the merged folder agrees.
# usage: shards_merge.sh TRACEPROOF_BINARY SOURCE_DIR OUT_DIR
set -uo pipefail
bin="$1"; src="$2"; out="$3"
scenario="$src/scenarios/checkout-baseline.yaml"
rm -rf "$out"; mkdir -p "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Far enough ahead that all three have started their services and warmed up on a busy machine.
start=$(date -u -d '+12 seconds' +%Y-%m-%dT%H:%M:%SZ)
pids=()
for i in 0 1 2; do
  # Shard 1 with two load threads: its slots are still the indexes that are 1 mod 3.
  threads=1; [ "$i" = 1 ] && threads=2
  "$bin" run "$scenario" --shard "$i/3" --start-at "$start" --keep-latencies --load-threads "$threads" \
    --out "$out/shard-$i" > "$out/log-shard-$i.txt" 2>&1 &
  pids+=($!)
done
for i in 0 1 2; do
  wait "${pids[$i]}"; rc=$?
  [ "$rc" = 0 ] || { tail -30 "$out/log-shard-$i.txt" >&2; fail "shard $i/3 exited $rc"; }
  [ -s "$out/shard-$i/shard.json" ] || fail "shard $i wrote no shard.json"
done

"$bin" merge "$out"/shard-? --out "$out/merged" > "$out/merge.log" 2>&1
rc=$?; cat "$out/merge.log"
[ "$rc" = 0 ] || fail "merge of the three shards exited $rc, want 0"

python3 - "$out" <<'PY' || fail "the merged results do not add up"
import json, math, sys
out = sys.argv[1]
load = lambda p: json.load(open(p))
shards = [load(f"{out}/shard-{i}/summary.json") for i in range(3)]
merged = load(f"{out}/merged/summary.json")
want = 200 * 8 + (200 + 400) / 2 * 4  # the scenario's schedule
sent = merged["load"]["sent"]
assert sent == want, f"merged requests {sent}, the schedule is {want}"
assert sum(s["load"]["sent"] for s in shards) == sent
assert all(s["load"]["sent"] > 0 for s in shards), "a shard sent nothing"
gt = merged["spans"]["ground_truth"]
assert gt == sum(s["spans"]["ground_truth"] for s in shards) and gt > 0, gt
acc = merged["spans"]["sink_accepted"]
assert acc == sum(s["spans"]["sink_accepted"] for s in shards), acc
assert merged["verdict"] == "pass", [c for c in merged["checks"] if c["status"] != "pass"]
thr = [c for c in merged["checks"] if c["kind"] == "throughput"][0]
d = thr["details"]
assert thr["status"] == "pass" and d["lost_spans"] == 0 and 0 < d["emitted_spans"] <= gt, thr
assert abs(d["target_requests_per_s"] - want / 12) < 1, d  # the shards' rates add up
split = [c for c in merged["checks"] if c["kind"] == "merge"][0]
assert split["status"] == "pass" and split["details"]["split_traces"] == 0, split
raw = []
for i in range(3):
    raw += [int(l) for l in open(f"{out}/shard-{i}/latencies.txt") if l.strip()]
raw.sort()
assert len(raw) == merged["load"]["latency_corrected"]["count"], (len(raw), merged["load"])
rank = max(1, math.ceil(0.99 * len(raw)))
want_ns = raw[rank - 1]
got_ns = merged["load"]["latency_corrected"]["p99_ms"] * 1e6
# 3 significant digits: the reported value is its bucket's highest, within 1/1024 above.
assert want_ns <= got_ns + 1 and got_ns - want_ns <= want_ns / 1024 + 1, (got_ns, want_ns)
print(f"merged: {sent} requests (schedule {want:.0f}), {gt} ground-truth spans, "
      f"{acc} accepted; p99 {got_ns:.0f} ns merged vs {want_ns} ns from {len(raw)} raw latencies")
PY

"$bin" check "$out/merged" > "$out/check.log" 2>&1 || { cat "$out/check.log"; fail "check of the merged folder"; }

expect2() {  # WANT_TEXT DIRS...: merge must exit 2 and say WANT_TEXT
  local want="$1"; shift
  "$bin" merge "$@" --out "$out/bad" > "$out/bad.log" 2>&1
  local rc=$?; cat "$out/bad.log"
  [ "$rc" = 2 ] || fail "merge $* exited $rc, want 2"
  grep -qF "$want" "$out/bad.log" || fail "merge $* does not say '$want'"
}
expect2 "shard 1/3 missing" "$out/shard-0" "$out/shard-2"
expect2 "shard 0/3 given 2 times" "$out/shard-0" "$out/shard-0" "$out/shard-1" "$out/shard-2"
cp -r "$out/shard-2" "$out/shard-2-seed"
python3 -c 'import json,sys; p=sys.argv[1]; j=json.load(open(p)); j["seed"]=7; json.dump(j,open(p,"w"))' \
  "$out/shard-2-seed/shard.json"
expect2 "arrival seed 7" "$out/shard-0" "$out/shard-1" "$out/shard-2-seed"
expect2 "not a shard's results" "$out/shard-0" "$out/shard-1" "$src/scenarios"
# The merge's own check on its broken twin: one of shard 0's traces also in shard 1's file (as
# when two shards' spans of one trace reach two sinks) must fail the merge, naming the trace.
cp -r "$out/shard-1" "$out/shard-1-split"
head -1 "$out/shard-0/traces.jsonl" >> "$out/shard-1-split/traces.jsonl"
split_id=$(head -1 "$out/shard-0/traces.jsonl" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["trace_id"])')
"$bin" merge "$out/shard-0" "$out/shard-1-split" "$out/shard-2" --out "$out/split" > "$out/split.log" 2>&1
rc=$?
[ "$rc" = 1 ] || { cat "$out/split.log"; fail "merge with a split trace exited $rc, want 1"; }
grep -q "FAIL merge .*" "$out/split.log" && grep -q "trace $split_id on shards 0, 1" "$out/split.log" ||
  { cat "$out/split.log"; fail "merge with a split trace does not name trace $split_id and shards 0, 1"; }
echo "shards_merge: ok"
