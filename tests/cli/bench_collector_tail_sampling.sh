#!/usr/bin/env bash
# `traceproof bench collector` judges a tail-sampling config by what its policy promises: at a
# low rate the seed-policy config (1 % of plain traces kept, decision_wait 10 s) must sustain
# the rate with zero loss (the drain waits for the sampler's decisions instead of calling the
# spans it still holds lost) and report the spans its policy dropped as sampled out.
# usage: bench_collector_tail_sampling.sh TRACEPROOF_BINARY CONFIG
set -uo pipefail
bin="$1"
config="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# One sustained trial at 2 k spans/s and one at 3 k (1.5x): ~12 s each with decision_wait.
"$bin" bench collector "$config" --trial-seconds 0.5 --start-rate 2000 --max-rate 2000 \
  --bisect 0 --out "$work/out" || fail "bench collector exited $?"
python3 - "$work/out/bench.json" <<'PY' || fail "bench.json: see above"
import json, sys
bench = json.load(open(sys.argv[1]))
ts = bench["targets"][1]
assert ts["max_sustainable_spans_per_s"] >= 2000, f"not sustained: {ts['trials']}"
# Both trials: the second one also proves it sent trace ids the sampler had not decided yet.
for t in ts["trials"]:
    assert t["lost_spans"] == 0 and "still_held_after_drain_spans" not in t, t
    assert t["sampled_out_spans"] > 0.9 * t["offered_spans"], t
    assert t["delivered_spans"] + t["sampled_out_spans"] == t["offered_spans"], t
    assert t["drain_s"] >= 5, f"drain shorter than decision_wait: {t}"
t = ts["trials"][0]
print(f"sustained {ts['max_sustainable_spans_per_s']:.0f} spans/s: {t['offered_spans']} offered, "
      f"{t['delivered_spans']} kept, {t['sampled_out_spans']} sampled out, drain {t['drain_s']:.1f} s")
PY
