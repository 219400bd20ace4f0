#!/usr/bin/env python3
"""No function longer than 80 lines in src/, mock_services/ or harness/ (STYLE.md, "Sizes that
keep it readable"), measured by lizard (PyPI, pinned in requirements.txt, run from .venv/).
Tables, where a long list is the clearest form, may be allowed by name in ALLOWED with the
reason. Exit 1 naming every function over the limit, or when lizard did not measure the tree
(a size check that measured nothing must not pass)."""
import csv
import io
import pathlib
import subprocess
import sys

LIMIT = 80
ALLOWED = {
    # "traceproof::SomeTable": "why a table is clearest here",
}


def main(root: pathlib.Path) -> int:
    python = root / ".venv" / "bin" / "python"
    if not python.exists():
        print(f"sizes: {python} missing: run scripts/bootstrap")
        return 1
    run = subprocess.run(
        [str(python), "-m", "lizard", "-l", "cpp", "--csv", "src", "mock_services", "harness"],
        cwd=root, capture_output=True, text=True)
    if run.returncode != 0:
        print(f"sizes: lizard failed (exit {run.returncode}):\n{run.stderr}")
        return 1
    rows = list(csv.reader(io.StringIO(run.stdout)))
    if len(rows) < 500:
        print(f"sizes: lizard measured only {len(rows)} functions; want the whole tree")
        return 1
    long = []
    for row in rows:
        length, file, name, start = int(row[4]), row[6], row[7], row[9]
        if length > LIMIT and name not in ALLOWED:
            long.append(f"{file}:{start}: {name} is {length} lines (limit {LIMIT})")
    for line in long:
        print(line)
    print(f"sizes: {len(rows)} functions measured, {len(long)} over {LIMIT} lines")
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
