#!/usr/bin/env bash
# `traceproof bench all --quick`: every bench runs in its own process and hands its figures
# over; the table and its JSON hold every figure with its peer, ratio and goal. Figures only:
# whether a goal is met depends on the machine, so exit 0 (all met) and 1 (some not) both pass;
# 3 (a bench could not run) fails, and so does a figure that is missing or was never measured
# without saying why.
# usage: bench_all_smoke.sh TRACEPROOF_BINARY OUT_DIR
set -uo pipefail
bin="$1"; out="$2"
rm -rf "$out"; mkdir -p "$out"
"$bin" bench all --quick --json "$out/bench-all.json" --out "$out/benches" > "$out/table.txt" 2> "$out/progress.txt"
rc=$?
cat "$out/progress.txt" "$out/table.txt"
[ "$rc" = 0 ] || [ "$rc" = 1 ] || { echo "FAIL: bench all exited $rc" >&2; exit 1; }
python3 - "$out/bench-all.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
figs = j["figures"]
assert not j["failed_benches"], j["failed_benches"]
names = {f["figure"].split(":")[0] for f in figs}
want = {"bench ingest", "bench tracer", "bench services", "bench loadgen", "bench collector"}
assert names == want, names
for f in figs:
    assert f["goal"], f
    assert f["met"] is not None or f["note"], f"not measured without a reason: {f}"
    if f["met"] is not None:
        assert f["value"] > 0, f
        if f["peer"]:
            assert f["peer_value"] > 0 and abs(f["ratio"] - (f["value"] / f["peer_value"])) < 1e-6 * f["ratio"] or f["unit"] == "ns/span", f
print(f"bench all: {len(figs)} figures from {len(names)} benches")
PY
