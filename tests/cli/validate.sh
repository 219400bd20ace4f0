#!/usr/bin/env bash
# Acceptance: `traceproof validate` exits 0 and says "ok" for valid scenario files, and exits 2
# naming FILE:LINE:COL for an invalid one, also when it is one of several files.
# usage: validate.sh TRACEPROOF_BINARY
set -euo pipefail
bin="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- output:" >&2; cat "$work/out" >&2; exit 1; }

cat >"$work/good.yaml" <<'YAML'
name: good
services: { preset: seed-checkout, scale: 0.1 }
load:
  - { route: "gateway POST /checkout", rate: 50/s, duration: 2s }
  - { arrival: ramping, from: 50/s, to: 200/s, duration: 2s }
YAML
cat >"$work/bad.yaml" <<'YAML'
name: bad
services: { preset: seed-checkout }
load:
  - { route: "gateway POST /checkout", rate: fast, duration: 2s }
YAML

run() {  # run ARGS... -> exit code in $rc, output in $work/out
  set +e
  "$bin" validate "$@" >"$work/out" 2>&1
  rc=$?
  set -e
}

run "$work/good.yaml"
[ "$rc" = 0 ] || fail "valid file: exit $rc, want 0"
grep -qF "$work/good.yaml: ok (2 phases, 0 checks, services: preset seed-checkout)" "$work/out" ||
  fail "valid file: no ok line"
echo "ok   valid file -> 0"

run "$work/bad.yaml"
[ "$rc" = 2 ] || fail "invalid file: exit $rc, want 2"
grep -qF "$work/bad.yaml:4:46: bad rate 'fast'" "$work/out" || fail "invalid file: no FILE:LINE:COL"
echo "ok   invalid file -> 2"

run "$work/good.yaml" "$work/bad.yaml"
[ "$rc" = 2 ] || fail "good + bad: exit $rc, want 2"
grep -qF "$work/good.yaml: ok" "$work/out" || fail "good + bad: the good file was not reported"
grep -qF "1 of 2 files invalid" "$work/out" || fail "good + bad: no tally"
echo "ok   good + bad -> 2"

run "$work/missing.yaml"
[ "$rc" = 2 ] || fail "missing file: exit $rc, want 2"
grep -qF "$work/missing.yaml:0:0: cannot read" "$work/out" || fail "missing file: no message"
echo "ok   missing file -> 2"

run
[ "$rc" = 2 ] || fail "no files: exit $rc, want 2"
echo "ok   no files -> 2"

"$bin" validate --help >"$work/out" 2>&1 || fail "--help failed"
grep -qF "docs/scenarios.md" "$work/out" || fail "--help does not point at the schema"
echo "ok   --help"
