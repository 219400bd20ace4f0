#!/usr/bin/env bash
# A run that writes no traces (--traces none) still keeps evidence: evidence.jsonl holds at most
# 50 whole trace records (the slowest 10 by root duration among them, the first failing, a
# sample), the slowest trace the report names is one of them, and report.html draws waterfalls
# from it; without evidence.jsonl the same folder's report draws none (the file is what the
# waterfalls come from). With --traces all there is no evidence.jsonl (traces.jsonl has all).
# usage: run_evidence.sh TRACEPROOF_BINARY SOURCE_DIR
set -uo pipefail
bin="$1"; src="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" run "$src/scenarios/slow-checkout.yaml" --traces none --out "$work/none" >"$work/none.log" 2>&1 ||
  fail "run --traces none: $(tail -5 "$work/none.log")"
[ -f "$work/none/evidence.jsonl" ] || fail "no evidence.jsonl with --traces none"
[ ! -e "$work/none/traces.jsonl" ] || fail "--traces none wrote traces.jsonl"
python3 - "$work/none" <<'PY' || fail "evidence.jsonl"
import json, os, sys
out = sys.argv[1]
records = [json.loads(l) for l in open(os.path.join(out, "evidence.jsonl")) if l.strip()]
assert 10 <= len(records) <= 50, len(records)
ids = [r["trace_id"] for r in records]
assert len(ids) == len(set(ids)), "a trace twice"
assert all(r["spans"] and not r.get("update") for r in records)
def root_ns(r):
    roots = [s for s in r["spans"] if not s.get("parent_span_id")]
    return max(int(s["end_time_unix_nano"]) - int(s["start_time_unix_nano"]) for s in roots) if roots else -1
slowest = max(records, key=root_ns)
summary = json.load(open(os.path.join(out, "summary.json")))
text = open(os.path.join(out, "report.txt")).read()
assert slowest["trace_id"] in text, "the report's slowest trace is not in evidence.jsonl"
PY
waterfalls() { grep -o 'class="waterfall"' "$1/report.html" | wc -l; }
[ "$(waterfalls "$work/none")" -ge 1 ] || fail "report.html of a --traces none run draws no waterfall"
cp -r "$work/none" "$work/bare" && rm "$work/bare/evidence.jsonl"
"$bin" report "$work/bare" >/dev/null 2>&1 || fail "traceproof report of the folder without evidence"
[ "$(waterfalls "$work/bare")" = 0 ] || fail "waterfalls drawn without evidence.jsonl: from where?"

"$bin" run "$src/scenarios/slow-checkout.yaml" --out "$work/all" >"$work/all.log" 2>&1 ||
  fail "run --traces all: $(tail -5 "$work/all.log")"
[ ! -e "$work/all/evidence.jsonl" ] || fail "evidence.jsonl beside a complete traces.jsonl"
echo "ok: evidence.jsonl keeps $(wc -l <"$work/none/evidence.jsonl") traces of a --traces none run"
