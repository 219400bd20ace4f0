#!/usr/bin/env python3
"""ctest compose.k8s: compose/k8s/ as scripts/render-k8s renders it (kustomize, built from its
Go module) is valid against the Kubernetes schemas, strictly (an unknown field is an error),
for the oldest and the newest release checked, and wired together (k8s_topology.py). The
schemas are the ones kubernetes-validate (PyPI, pinned in requirements.txt) ships: no cluster,
no network. Then the broken twins: the same manifests broken one way each (a misspelled field
rendered through kustomize from k8s-broken/, a wrong type, and one miswiring per topology
check) must each be rejected, so a pass means the checks looked. The Jobs' shell (the shard
wrapper, the merge's wait and glob) runs here as a pod would run it (k8s_scripts.py), and
broken twins of it must fail too. Last, the sink tier's
Collector configs must load in otelcol-traceproof (collector_configs.py).

What this does not exercise: applying to a cluster (admission, scheduling, RWX storage, DNS,
the images), and the Collector's ring remapping when the sinks scale.

usage: tests/compose/k8s_manifests.py REPO_ROOT"""
import copy
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
try:
    import kubernetes_validate
    import yaml
except ImportError:
    venv = ROOT / ".venv" / "bin" / "python"
    if venv.exists() and pathlib.Path(sys.executable) != venv:
        os.execv(str(venv), [str(venv), *sys.argv])
    print(f"compose.k8s: FAIL: kubernetes-validate is not installed in {venv}: "
          "run scripts/bootstrap")
    sys.exit(1)

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import collector_configs  # noqa: E402
import k8s_scripts  # noqa: E402
import k8s_topology  # noqa: E402

VERSIONS = ("1.30.0", kubernetes_validate.latest_version())
START_AT = "2030-01-01T00:00:00Z"


def render(*args):
    run = subprocess.run([str(ROOT / "scripts" / "render-k8s"), "--start-at", START_AT, *args],
                         capture_output=True, text=True)
    if run.returncode != 0:
        print(f"compose.k8s: FAIL: scripts/render-k8s {' '.join(args)} failed:\n{run.stderr}")
        sys.exit(1)
    return [d for d in yaml.safe_load_all(run.stdout) if d]


def render_broken():
    kustomize = subprocess.run([str(ROOT / "scripts" / "build-kustomize")],
                               capture_output=True, text=True, check=True).stdout.strip()
    run = subprocess.run([kustomize, "build", "--load-restrictor", "LoadRestrictionsNone",
                          str(ROOT / "tests" / "compose" / "k8s-broken")],
                         capture_output=True, text=True)
    if run.returncode != 0:
        print(f"compose.k8s: FAIL: kustomize could not render k8s-broken/:\n{run.stderr}")
        sys.exit(1)
    return [d for d in yaml.safe_load_all(run.stdout) if d]


def schema_errors(docs):
    errors = []
    for doc in docs:
        for version in VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                path = ".".join(str(p) for p in e.path)
                errors.append(f"{doc['kind']} {doc['metadata']['name']} (Kubernetes {version}): "
                              f"{path}: {e.message}")
            except kubernetes_validate.SchemaNotFoundError:
                errors.append(f"{doc['kind']}: no schema in Kubernetes {version}")
    return errors


def find(docs, kind, prefix):
    return k8s_topology.named(docs, kind, prefix)


def shard_container(docs):
    return k8s_topology.container(find(docs, "Job", "traceproof-shards"), "shard")


def set_env(docs, name, value):
    for e in shard_container(docs)["env"]:
        if e["name"] == name:
            e["value"] = value


def collector_config(docs, edit):
    cm = find(docs, "ConfigMap", "traceproof-collector-config")
    config = yaml.safe_load(cm["data"][k8s_topology.COLLECTOR_KEY])
    edit(config)
    cm["data"][k8s_topology.COLLECTOR_KEY] = yaml.safe_dump(config)


def shards_spec(d):
    return find(d, "Job", "traceproof-shards")["spec"]


def merge_wait_env(d):
    merge = find(d, "Job", "traceproof-merge")
    return k8s_topology.container(merge, "wait-for-shards", init=True)["env"]


def sink_container(d):
    return k8s_topology.container(find(d, "StatefulSet", "traceproof-sink"), "sink")


def lb_exporter(d, edit):
    collector_config(d, lambda c: edit(c["exporters"]["loadbalancing"]))


def without_index(d):
    c = shard_container(d)
    c["env"] = [e for e in c["env"] if e["name"] != "JOB_COMPLETION_INDEX"]


# One miswiring per topology check: (what, the words k8s_topology must name it with, how).
TOPOLOGY_TWINS = [
    ("completions differ from N", "differ", lambda d: shards_spec(d).update(completions=4)),
    ("JOB_COMPLETION_INDEX not defined", "$(JOB_COMPLETION_INDEX) is not a variable",
     without_index),
    ("not Indexed", "not Indexed", lambda d: shards_spec(d).update(completionMode="NonIndexed")),
    ("merge waits for another N", "does not wait",
     lambda d: merge_wait_env(d)[0].update(value="2")),
    ("scenario ConfigMap edited", "does not hold",
     lambda d: find(d, "ConfigMap", "traceproof-scenario")["data"].update(
         {k8s_topology.SCENARIO_KEY: "name: other\n"})),
    ("merge without the scenario", "traceproof-merge: the scenario ConfigMap",
     lambda d: k8s_topology.container(find(d, "Job", "traceproof-merge"), "merge").update(
         volumeMounts=[{"name": "results", "mountPath": "/results"}])),
    ("resolver names the StatefulSet, not the Service", "dns resolver",
     lambda d: lb_exporter(d, lambda e: e["resolver"]["dns"].update(hostname="traceproof-sink"))),
    ("routing by service", "route by traceID",
     lambda d: lb_exporter(d, lambda e: e.update(routing_key="service"))),
    ("sinks' Service not headless", "no headless Service",
     lambda d: find(d, "Service", "traceproof-sinks")["spec"].pop("clusterIP")),
    ("results volume ReadWriteOnce", "not ReadWriteMany",
     lambda d: find(d, "PersistentVolumeClaim", "traceproof-results")["spec"].update(
         accessModes=["ReadWriteOnce"])),
    ("sink without readiness probe", "probes", lambda d: sink_container(d).pop("readinessProbe")),
    ("Collector pods may run as root", "as root",
     lambda d: k8s_topology.pod_spec(find(d, "Deployment", "traceproof-collector"))[
         "securityContext"].pop("runAsNonRoot")),
    ("shard without limits", "limits", lambda d: shard_container(d)["resources"].pop("limits")),
]

SCHEMA_TWINS = [
    ("parallelism as a word", lambda d: shards_spec(d).update(parallelism="three")),
    ("a probe host that is a list", lambda d: sink_container(d)["livenessProbe"].update(
        tcpSocket={"port": 4317, "host": ["x"]})),
]


def wrapper_exits_0(d):
    command = shard_container(d)["command"]
    command[2] = command[2].replace('exit "$rc"', "exit 0")


def merge_without_glob(d):
    merge = k8s_topology.container(find(d, "Job", "traceproof-merge"), "merge")
    merge["command"][2] = merge["command"][2].replace("/results/shard-*", "'/results/shard-*'")


# The pods' shell broken: (what, which pod's shell, the words k8s_scripts must name it with,
# how).
SCRIPT_TWINS = [
    ("shard wrapper hides the exit code", "shard", "exited 0 for traceproof's 1",
     wrapper_exits_0),
    ("merge given the glob unexpanded", "merge", "the merge ran traceproof with",
     merge_without_glob),
]


def run_twins(docs, scenario_text):
    failed = []
    for what, which, named, breaks in SCRIPT_TWINS:
        broken = copy.deepcopy(docs)
        breaks(broken)
        problems = k8s_scripts.script_problems(broken, (which,))
        if not any(named in p for p in problems):
            failed.append(f"script twin '{what}' was not named ('{named}'): {problems}")
    for what, breaks in SCHEMA_TWINS:
        broken = copy.deepcopy(docs)
        breaks(broken)
        if not schema_errors(broken):
            failed.append(f"schema twin '{what}' was accepted")
    for what, named, breaks in TOPOLOGY_TWINS:
        broken = copy.deepcopy(docs)
        breaks(broken)
        problems = k8s_topology.problems_of(broken, scenario_text)
        if not any(named in p for p in problems):
            failed.append(f"topology twin '{what}' was not named ('{named}'): {problems}")
    broken_overlay = schema_errors(render_broken())
    if not any("paralellism" in e for e in broken_overlay):
        failed.append("k8s-broken/ (spec.paralellism) was accepted: " + "; ".join(broken_overlay))
    else:
        print(f"compose.k8s: k8s-broken/ rejected as it must be: {broken_overlay[0]}")
    return failed


def main():
    scenario_text = (ROOT / "scenarios" / k8s_topology.SCENARIO_KEY).read_text()
    docs = render()
    failures = schema_errors(docs) + k8s_topology.problems_of(docs, scenario_text)
    kinds = sorted({d["kind"] for d in docs})
    if len(docs) < 11:
        failures.append(f"only {len(docs)} documents rendered ({', '.join(kinds)})")
    five = render("--shards", "5")
    failures += [f"--shards 5: {p}" for p in k8s_topology.problems_of(five, scenario_text)]
    if find(five, "Job", "traceproof-shards")["spec"]["completions"] != 5:
        failures.append("--shards 5 did not set the Indexed Job's completions")
    failures += k8s_scripts.script_problems(docs)
    failures += run_twins(docs, scenario_text)
    cm = find(docs, "ConfigMap", "traceproof-collector-config")
    failures += collector_configs.collector_failures(ROOT, cm["data"][k8s_topology.COLLECTOR_KEY])
    for f in failures:
        print(f"compose.k8s: FAIL: {f}")
    if failures:
        return 1
    twins = len(SCHEMA_TWINS) + len(TOPOLOGY_TWINS) + len(SCRIPT_TWINS) + 1
    print(f"compose.k8s: OK: {len(docs)} documents ({', '.join(kinds)}) valid against the "
          f"Kubernetes {' and '.join(VERSIONS)} schemas (strict) and wired together; the Jobs' "
          "shell runs as a pod would; "
          f"{twins} broken twins rejected; otelcol-traceproof validates the sink tier's two "
          "Collector configs and refuses a wrong routing_key")
    return 0


if __name__ == "__main__":
    sys.exit(main())
