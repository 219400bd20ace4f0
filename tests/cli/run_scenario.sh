#!/usr/bin/env bash
# Runs one scenario from scenarios/ with `traceproof run` and asserts the verdict it declares:
# exit 0 (all checks pass, or exactly the failures its `expect:` names), then that the outputs
# exist and parse: summary.json (JSON, as_expected true, one entry per check), junit.xml (XML,
# one testcase per check plus the verdict), report.txt, report.html, histograms that deserialize,
# series.jsonl (a row a second with every documented field, whose requests add up to load.sent),
# and that `traceproof check` of the results gives every check's result exactly as the run did.
# usage: run_scenario.sh TRACEPROOF_BINARY SCENARIO.yaml OUT_DIR [extra run flags...]
set -uo pipefail
bin="$1"; scenario="$2"; out="$3"; shift 3
rm -rf "$out"
"$bin" run "$scenario" --out "$out" "$@"
rc=$?
if [ "$rc" != 0 ]; then
  echo "FAIL: traceproof run $scenario exited $rc (want 0: the verdict the scenario declares)" >&2
  exit 1
fi
python3 - "$out" <<'PY' || exit 1
import json, os, sys, xml.etree.ElementTree as ET
out = sys.argv[1]
summary = json.load(open(os.path.join(out, "summary.json")))
assert summary["as_expected"] is True, summary.get("why")
assert summary["status"] == "completed", summary["status"]
checks = summary["checks"]
assert checks, "no checks in summary.json"
for c in checks:
    assert c["status"] in ("pass", "fail") and c["reason"], c
if summary["expected"] == "fail":
    failing = {c["kind"] for c in checks if c["status"] == "fail"}
    for kind in summary.get("expected_failing", []):
        assert kind in failing, f"expected a failing {kind} check, failing: {failing}"
assert summary["load"]["sent"] > 0, "no requests sent"
junit = ET.parse(os.path.join(out, "junit.xml")).getroot()
cases = junit.findall("./testsuite/testcase")
assert len(cases) == len(checks) + 1, (len(cases), len(checks))
assert junit.find("./testsuite").get("failures") == "0", ET.tostring(junit)[:2000]
for name in ("report.txt", "report.html", "traces.jsonl", "histograms/corrected.hist",
             "histograms/uncorrected.hist"):
    # A broken twin may be one where nothing reaches the sink (every export refused): its
    # traces.jsonl is there, and empty.
    empty_ok = name == "traces.jsonl" and summary["spans"]["sink_received"] == 0
    assert os.path.getsize(os.path.join(out, name)) > 0 or empty_ok, name
head = open(os.path.join(out, "histograms/corrected.hist")).readline()
assert head.startswith("traceproof-hist v1 "), head
# series.jsonl (docs/results.md): a row a second of load, every field, requests that add up.
rows = [json.loads(line) for line in open(os.path.join(out, "series.jsonl"))]
fields = {"t_s", "interval_s", "phase", "requests_per_s_target", "requests_per_s", "requests",
          "responses", "p50_ns", "p99_ns", "max_ns", "dropped_iterations", "errors",
          "spans_received", "processes"}
for r in rows:
    assert fields <= r.keys(), f"series row without {fields - r.keys()}: {r}"
    assert set(r["errors"]) == {"connect", "timeout", "reset", "other", "status"}, r["errors"]
    assert r["processes"] and r["processes"][0]["name"] == "traceproof", r["processes"]
    assert r["processes"][0]["rss_bytes"] > 0, r["processes"]
    for p in r["processes"]:
        assert p["rss_bytes"] >= 0 and p["cpu_percent"] >= 0, p
load_rows = [r for r in rows if r["phase"] == "load"]
load_s = summary["load"]["duration_s"]
assert len(load_rows) >= load_s - 1, f"{len(load_rows)} load rows for {load_s} s of load"
assert [r["t_s"] for r in rows] == sorted(r["t_s"] for r in rows), "rows out of time order"
sent = sum(r["requests"] for r in load_rows)
assert abs(sent - summary["load"]["sent"]) <= 0.1 * summary["load"]["sent"], \
    f"series rows sum to {sent} requests, summary.json load.sent {summary['load']['sent']}"
full = [r for r in load_rows if r["interval_s"] >= 0.9 and r["requests_per_s_target"] > 0]
if full and summary["load"]["dropped_iterations"] == 0:
    # The generator kept to its schedule if it tried every request: one that found nothing
    # listening (a killed Collector) was not sent, but was attempted on time.
    tried = sum(r["requests_per_s"] + r["errors"]["connect"] / r["interval_s"] for r in full)
    achieved = tried / sum(r["requests_per_s_target"] for r in full)
    assert 0.8 <= achieved <= 1.2, f"series: {achieved:.2f} of the target rate"
assert any(r["p99_ns"] > 0 for r in load_rows), "no latency in any load row"
print(f"ok: series.jsonl: {len(rows)} rows ({len(load_rows)} of load), {sent} requests")
PY
# The recorded results judged again (`traceproof check`) give exactly the run's check results:
# the batch path and the streaming path are one code path.
"$bin" check "$out" > "$out/check.txt" 2>&1
rc=$?
want=0
if [ "$rc" != "$want" ]; then
  echo "FAIL: traceproof check $out exited $rc (want $want, the run's verdict)" >&2
  cat "$out/check.txt" >&2
  exit 1
fi
python3 - "$out" <<'PY' || exit 1
import json, os, sys
out = sys.argv[1]
summary = json.load(open(os.path.join(out, "summary.json")))
check = json.load(open(os.path.join(out, "check.json")))
run_checks, again = summary["checks"], check["checks"]
assert len(run_checks) == len(again), (len(run_checks), len(again))
for a, b in zip(run_checks, again):
    for key in ("kind", "label", "status", "reason", "evidence", "details", "position"):
        assert a[key] == b[key], f"traceproof check differs from the run on {a['kind']} {key}:\n run:   {a[key]}\n check: {b[key]}"
assert check["as_expected"] is True
print(f"ok: {summary['scenario']['name']}: verdict {summary['verdict']} "
      f"(expected {summary['expected']}), {len(again)} checks, "
      f"{summary['load']['sent']} requests, {summary['spans']['sink_accepted']} spans")
PY
