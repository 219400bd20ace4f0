#!/usr/bin/env bash
# No function longer than 80 lines in src/, mock_services/ or harness/ (STYLE.md, "Sizes that
# keep it readable"), measured by lizard (PyPI, in .venv/ from requirements.txt). Tables, where
# a long list is the clearest form, are allowed by name below, each with its reason.
set -euo pipefail
root=${1:?usage: sizes.sh SOURCE_DIR}
cd "$root"
lizard=.venv/bin/lizard
[ -x "$lizard" ] || { echo "sizes: $lizard missing: run scripts/bootstrap" >&2; exit 1; }
# function name (as lizard prints it) -> why it may be long
allowed=(
)
out=$("$lizard" -l cpp src mock_services harness -L 80 -C 1000 -w || true)
status=0
while IFS= read -r line; do
  [ -n "$line" ] || continue
  ok=0
  for a in "${allowed[@]+"${allowed[@]}"}"; do
    [[ "$line" == *" ${a%%=*} has "* ]] && ok=1
  done
  if [ $ok = 0 ]; then
    echo "$line"
    status=1
  fi
done <<< "$out"
[ $status = 0 ] && echo "sizes: no function over 80 lines (beyond ${#allowed[@]} allowed tables)"
exit $status
