#!/usr/bin/env python3
"""The dependency order of src/ (../shared/ARCHITECTURE.md, README's Layout), checked on the
includes: a folder may include its own tier and the tiers below it, never above; only src/run/
and harness/ include mock_services/. Exit 1 naming every include that goes upward."""
import pathlib
import re
import sys

# Lowest first; folders on one line form one tier.
TIERS = [
    ["otlp", "config"],
    ["graph", "truth", "tracing"],
    ["receiver", "store"],
    ["sink"],
    ["load"],
    ["checks"],
    ["scenario"],
    ["process"],
    ["run"],
    ["report"],
    ["compare"],
    ["shard"],
]
RANK = {folder: i for i, tier in enumerate(TIERS) for folder in tier}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def main(root: pathlib.Path) -> int:
    problems = []
    for path in sorted((root / "src").rglob("*")):
        if path.suffix not in (".h", ".cc"):
            continue
        folder = path.relative_to(root / "src").parts[0]
        if folder not in RANK:
            problems.append(f"{path.relative_to(root)}: src/{folder}/ has no place in the order")
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1).split("/")[0]
            where = f"{path.relative_to(root)}:{number}"
            if target == "mock_services":
                if folder != "run":
                    problems.append(f"{where}: includes {m.group(1)}; only src/run/ may")
            elif target in RANK and RANK[target] > RANK[folder]:
                problems.append(f"{where}: {folder}/ includes {m.group(1)}, which is above it")
    for p in problems:
        print(p)
    print(f"layers: {len(problems)} include(s) against the dependency order")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
