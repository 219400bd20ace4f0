"""The shell the rendered Jobs run, run here with /bin/sh as a pod would: the shard wrapper
(traceproof's exit code kept and left as a marker for the merge), the merge Job's wait for
the markers and its glob of the shard folders. The container's command and args are taken
from the rendered manifest, $(VAR)s expanded as Kubernetes expands them (only variables the
container defines), /results pointed at a temporary folder, and `traceproof` replaced by a
test double on PATH that records its arguments and exits with the code it is told. Schema
validation cannot see any of this. Used by k8s_manifests.py, which also runs a broken wrapper
to see these checks fail."""
import os
import pathlib
import re
import subprocess
import tempfile

import k8s_topology

DOUBLE = """#!/bin/sh
printf '%s\\n' "$@" >"$TRACEPROOF_DOUBLE_ARGS"
exit "$TRACEPROOF_DOUBLE_EXIT"
"""


def container_env(docs, container, index):
    """The container's variables as the kubelet would set them for completion index `index`."""
    env = {}
    for e in container.get("env", []):
        source = e.get("valueFrom", {})
        if "value" in e:
            env[e["name"]] = e["value"]
        elif "fieldRef" in source and "job-completion-index" in source["fieldRef"]["fieldPath"]:
            env[e["name"]] = str(index)
        elif "fieldRef" in source:
            env[e["name"]] = "pod-name"
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            cm = next(d for d in docs if d["kind"] == "ConfigMap"
                      and d["metadata"]["name"] == ref["name"])
            env[e["name"]] = cm["data"][ref["key"]]
    return env


def run_container(docs, container, index, results, exit_code):
    """Runs the container's command + args; returns (exit code, output, the double's args)."""
    env = container_env(docs, container, index)

    def expand(arg):
        return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)",
                      lambda m: env.get(m.group(1), m.group(0)), arg).replace("/results", results)

    argv = [expand(a) for a in container.get("command", []) + container.get("args", [])]
    bin_dir = pathlib.Path(results).parent / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "traceproof").write_text(DOUBLE)
    (bin_dir / "traceproof").chmod(0o755)
    args_file = pathlib.Path(results).parent / f"args-{index}"
    run_env = {**env, "PATH": f"{bin_dir}:/usr/bin:/bin", "TRACEPROOF_DOUBLE_ARGS": str(args_file),
               "TRACEPROOF_DOUBLE_EXIT": str(exit_code)}
    run = subprocess.run(argv, env=run_env, capture_output=True, text=True, timeout=30)
    args = args_file.read_text().splitlines() if args_file.exists() else None
    return run.returncode, run.stdout + run.stderr, args


def shard_problems(docs, work):
    """Shard 1 of 3, whose checks fail (exit 1): traceproof gets its expanded arguments, the pod
    exits 1 and leaves done/shard-1 holding 1."""
    job = k8s_topology.named(docs, "Job", "traceproof-shards")
    shard = k8s_topology.container(job, "shard")
    results = str(work / "results")
    os.makedirs(results)
    code, out, args = run_container(docs, shard, 1, results, exit_code=1)
    n = shard and k8s_topology.env_of(shard)["TRACEPROOF_SHARDS"]["value"]
    problems = []
    if args is None or "run" not in args or f"--shard=1/{n}" not in args \
            or f"--out={results}/shard-1" not in args:
        problems.append(f"the shard wrapper ran traceproof with {args} ({out.strip()})")
    if code != 1:
        problems.append(f"the shard wrapper exited {code} for traceproof's 1")
    marker = pathlib.Path(results) / "done" / "shard-1"
    if not marker.exists() or marker.read_text().strip() != "1":
        problems.append("the shard wrapper left no done/shard-1 marker holding traceproof's 1")
    return problems


def merge_problems(docs, work):
    """With markers for shards 0 and 2 of 3 the wait gives up (after a wait shortened to 1 s)
    saying so; the merge then gets every shard folder there is, in order, and --out."""
    job = k8s_topology.named(docs, "Job", "traceproof-merge")
    wait = dict(k8s_topology.container(job, "wait-for-shards", init=True))
    wait["env"] = [{"name": e["name"], "value": "1"} if e["name"] == "TRACEPROOF_MERGE_WAIT_S"
                   else e for e in wait["env"]]
    results = work / "results"
    for i in (0, 2):
        (results / f"shard-{i}").mkdir(parents=True)
        (results / "done").mkdir(exist_ok=True)
        (results / "done" / f"shard-{i}").write_text("0\n")
    problems = []
    code, out, _ = run_container(docs, wait, 0, str(results), exit_code=0)
    if code != 0 or "only 2 of 3 shards" not in out:
        problems.append(f"the merge's wait for 2 of 3 shards exited {code} saying {out.strip()!r}")
    code, out, args = run_container(docs, k8s_topology.container(job, "merge"), 0, str(results),
                                    exit_code=2)
    want = ["merge", f"{results}/shard-0", f"{results}/shard-2", "--out", f"{results}/merged"]
    if args != want or code != 2:
        problems.append(f"the merge ran traceproof with {args} and exited {code}; want {want}, 2")
    return problems


def script_problems(docs, which=("shard", "merge")):
    problems = []
    checks = {"shard": shard_problems, "merge": merge_problems}
    for check in (checks[w] for w in which):
        with tempfile.TemporaryDirectory(prefix="traceproof-k8s-sh.") as work:
            try:
                problems += check(docs, pathlib.Path(work))
            except (KeyError, TypeError, StopIteration, OSError) as e:
                problems.append(f"{check.__name__}: could not run the pod's shell ({e!r})")
    return problems
