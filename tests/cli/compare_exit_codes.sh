#!/usr/bin/env bash
# `traceproof compare` and `run --baseline`, end to end on short runs of checkout-baseline's
# services (tests/cli/compare/): a clean pair exits 0; stripe 30 ms slower exits 1 naming
# stripe's operation and its p99 change (the broken twin of the clean pair), through compare
# and through run --baseline, with the job summary written to --summary-md and appended to
# $GITHUB_STEP_SUMMARY; a scenario with no route in common, a folder that is no results folder
# and a missing folder exit 2 naming what is wrong.
# usage: compare_exit_codes.sh TRACEPROOF_BINARY SOURCE_DIR OUT_DIR
set -uo pipefail
bin="$1"; src="$2"; out="$3"
here="$src/tests/cli/compare"
rm -rf "$out"; mkdir -p "$out/empty"
fail() { echo "FAIL: $*" >&2; exit 1; }

run() {  # NAME SCENARIO [flags]: a run whose own verdict must pass
  local name="$1" scenario="$2"; shift 2
  "$bin" run "$here/$scenario" --out "$out/$name" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  [ "$rc" = 0 ] || { tail -30 "$out/$name.log" >&2; fail "run $scenario exited $rc"; }
}
expect() {  # WANT_RC NAME: `compare` output in $out/NAME.out
  local want="$1" name="$2"; shift 2
  "$bin" compare "$@" > "$out/$name.out" 2>&1
  local rc=$?
  cat "$out/$name.out"
  [ "$rc" = "$want" ] || fail "compare $* exited $rc, want $want"
}

run base checkout-short.yaml
run again checkout-short.yaml
expect 0 clean "$out/base" "$out/again"
[ -s "$out/again/compare.json" ] && [ -s "$out/again/compare.html" ] ||
  fail "compare.json or compare.html missing in $out/again"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["verdict"]=="pass", j["regressions"]' \
  "$out/again/compare.json" || fail "compare.json of the clean pair does not say pass"

run slow checkout-short-stripe-30ms.yaml
expect 1 stripe "$out/base" "$out/slow"
grep -q 'stripe POST /v1/charges \[SERVER\] p99 .* → .*(+[23][0-9]\.[0-9] ms' "$out/stripe.out" ||
  fail "compare of the stripe pair does not name stripe's operation with its p99 change"

run other other-route.yaml
expect 2 no-common "$out/base" "$out/other"
grep -q 'no route in common' "$out/no-common.out" || fail "no 'no route in common' message"
expect 2 not-results "$out/base" "$out/empty"
grep -q "is not a results folder .* no summary.json" "$out/not-results.out" || fail "no 'not a results folder' message"
expect 2 missing "$out/nope" "$out/base"
grep -q "BASE: .*nope: not a directory" "$out/missing.out" || fail "no message naming the missing BASE"

# run --baseline: the run's own verdict passes, the comparison fails: exit 1, summaries written.
export GITHUB_STEP_SUMMARY="$out/step_summary.md"
echo "earlier step" > "$GITHUB_STEP_SUMMARY"
"$bin" run "$here/checkout-short-stripe-30ms.yaml" --out "$out/slow-baseline" --baseline "$out/base" \
  --summary-md "$out/summary.md" > "$out/slow-baseline.log" 2>&1
rc=$?
[ "$rc" = 1 ] || { tail -30 "$out/slow-baseline.log" >&2; fail "run --baseline exited $rc, want 1"; }
grep -q 'stripe POST /v1/charges' "$out/slow-baseline.log" || fail "run --baseline does not name stripe"
for f in "$out/summary.md" "$GITHUB_STEP_SUMMARY"; do
  grep -q '^\*\*verdict: PASS\*\*' "$f" || fail "$f: no run verdict"
  grep -q '^\*\*verdict: REGRESSION\*\*' "$f" || fail "$f: no compare verdict"
  grep -q '^```$' "$f" || fail "$f: no trace tree in a code block"
  grep -q '| check |' "$f" || fail "$f: no checks table"
  ! grep -qE '\]\(|https?://' "$f" || fail "$f: holds a link"
done
head -1 "$GITHUB_STEP_SUMMARY" | grep -q 'earlier step' || fail "GITHUB_STEP_SUMMARY was replaced, not appended to"
"$bin" run "$here/checkout-short.yaml" --baseline "$out/empty" > "$out/bad-baseline.log" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "run --baseline with no results folder exited $rc, want 2"
echo "PASS: compare exit codes 0 / 1 (stripe) / 2, run --baseline, job summaries"
