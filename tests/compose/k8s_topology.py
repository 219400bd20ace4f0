"""What the rendered compose/k8s/ must say beyond what the Kubernetes schemas can: the pieces
are wired to each other (the Indexed Job's N agrees everywhere, every $(VAR) in an argument
is a variable the container defines, the Collector's resolver names the sinks' headless
Service, every ConfigMap and claim a pod mounts is rendered), and each long-running container
has probes, resources and a restricted securityContext. Used by k8s_manifests.py, which also
runs these checks on broken copies to see each one fail."""
import re

import yaml

SCENARIO_KEY = "checkout-baseline.yaml"
COLLECTOR_KEY = "collector-config.yaml"


def by_kind_name(docs):
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def named(docs, kind, prefix):
    """The one document of `kind` whose name is `prefix` (ConfigMaps: prefix-<hash>)."""
    found = [d for d in docs if d["kind"] == kind
             and re.fullmatch(re.escape(prefix) + r"(-[a-z0-9]{10})?", d["metadata"]["name"])]
    return found[0] if len(found) == 1 else None


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def pod_spec(doc):
    return doc["spec"]["template"]["spec"]


def container(doc, name, init=False):
    key = "initContainers" if init else "containers"
    return next((c for c in pod_spec(doc).get(key, []) if c["name"] == name), None)


def check_shards(docs, scenario_text, problems):
    job = named(docs, "Job", "traceproof-shards")
    if job is None:
        return problems.append("no Job traceproof-shards")
    spec = job["spec"]
    if spec.get("completionMode") != "Indexed":
        problems.append("traceproof-shards: completionMode is not Indexed")
    shard = container(job, "shard")
    if shard is None:
        return problems.append("traceproof-shards: no container 'shard'")
    env = env_of(shard)
    n = env.get("TRACEPROOF_SHARDS", {}).get("value")
    if not (str(spec.get("completions")) == str(spec.get("parallelism")) == n):
        problems.append(f"traceproof-shards: completions {spec.get('completions')}, parallelism "
                        f"{spec.get('parallelism')} and TRACEPROOF_SHARDS {n} differ")
    index = env.get("JOB_COMPLETION_INDEX", {}).get("valueFrom", {}).get("fieldRef", {})
    if index.get("fieldPath") != "metadata.annotations['batch.kubernetes.io/job-completion-index']":
        problems.append("traceproof-shards: JOB_COMPLETION_INDEX is not the completion index")
    args = shard.get("args", [])
    for want in ("run", "/scenario/" + SCENARIO_KEY,
                 "--shard=$(JOB_COMPLETION_INDEX)/$(TRACEPROOF_SHARDS)",
                 "--start-at=$(TRACEPROOF_START_AT)",
                 "--out=/results/shard-$(JOB_COMPLETION_INDEX)"):
        if want not in args:
            problems.append(f"traceproof-shards: args lack '{want}'")
    check_scenario_mount(docs, scenario_text, problems)
    merge = named(docs, "Job", "traceproof-merge")
    wait = merge and container(merge, "wait-for-shards", init=True)
    if not wait or env_of(wait).get("TRACEPROOF_SHARDS", {}).get("value") != n:
        problems.append("traceproof-merge: does not wait for the shards' N")
    elif "traceproof merge /results/shard-* --out /results/merged" not in " ".join(
            container(merge, "merge")["command"]):
        problems.append("traceproof-merge: does not merge /results/shard-* into /results/merged")


def check_scenario_mount(docs, scenario_text, problems):
    """The shards run the scenario from its ConfigMap at /scenario, and the merge reads it again
    at the path the shards recorded: both pods mount it there."""
    cm = named(docs, "ConfigMap", "traceproof-scenario")
    if cm is None or cm.get("data", {}).get(SCENARIO_KEY) != scenario_text:
        return problems.append(
            f"ConfigMap traceproof-scenario does not hold scenarios/{SCENARIO_KEY}")
    for job_name, name in (("traceproof-shards", "shard"), ("traceproof-merge", "merge")):
        job = named(docs, "Job", job_name)
        volumes = {v["name"]: v for v in pod_spec(job).get("volumes", [])}
        mounts = container(job, name).get("volumeMounts", [])
        at = [m["mountPath"] for m in mounts if volumes.get(m["name"], {}).get(
            "configMap", {}).get("name") == cm["metadata"]["name"]]
        if at != ["/scenario"]:
            problems.append(f"{job_name}: the scenario ConfigMap is not at /scenario")


def check_variables(docs, problems):
    """Kubernetes expands $(VAR) only for variables the container defines; any other is passed
    on literally, so `--shard=$(JOB_COMPLETION_INDEX)/3` would reach traceproof as is."""
    for doc in docs:
        if "template" not in doc.get("spec", {}):
            continue
        spec = pod_spec(doc)
        for c in spec.get("initContainers", []) + spec.get("containers", []):
            defined = set(env_of(c))
            for arg in c.get("args", []) + c.get("command", []):
                for var in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", arg):
                    if var not in defined:
                        problems.append(f"{doc['metadata']['name']}/{c['name']}: $({var}) is "
                                        "not a variable the container defines")


def check_references(docs, problems):
    names = {(d["kind"], d["metadata"]["name"]) for d in docs}
    for doc in docs:
        if "template" not in doc.get("spec", {}):
            continue
        spec = pod_spec(doc)
        refs = []
        for v in spec.get("volumes", []):
            if "configMap" in v:
                refs.append(("ConfigMap", v["configMap"]["name"]))
            if "persistentVolumeClaim" in v:
                refs.append(("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]))
        for c in spec.get("initContainers", []) + spec.get("containers", []):
            for e in c.get("env", []):
                if "configMapKeyRef" in e.get("valueFrom", {}):
                    refs.append(("ConfigMap", e["valueFrom"]["configMapKeyRef"]["name"]))
        for ref in refs:
            if ref not in names:
                problems.append(f"{doc['metadata']['name']}: {ref[0]} {ref[1]} is not rendered")
    pvc = named(docs, "PersistentVolumeClaim", "traceproof-results")
    if pvc is None or pvc["spec"].get("accessModes") != ["ReadWriteMany"]:
        problems.append("PersistentVolumeClaim traceproof-results is not ReadWriteMany")


def check_sink_tier(docs, problems):
    sts = named(docs, "StatefulSet", "traceproof-sink")
    svc = sts and named(docs, "Service", sts["spec"].get("serviceName", ""))
    if not sts or not svc or svc["spec"].get("clusterIP") != "None":
        return problems.append("the sinks' StatefulSet has no headless Service")
    labels = sts["spec"]["template"]["metadata"].get("labels", {})
    if any(labels.get(k) != v for k, v in svc["spec"].get("selector", {"-": "-"}).items()):
        problems.append(f"Service {svc['metadata']['name']} selects no sink pod")
    cm = named(docs, "ConfigMap", "traceproof-collector-config")
    config = yaml.safe_load(cm["data"][COLLECTOR_KEY]) if cm else {}
    lb = config.get("exporters", {}).get("loadbalancing", {})
    if lb.get("routing_key") != "traceID":
        problems.append("the Collector's loadbalancing exporter does not route by traceID")
    dns = lb.get("resolver", {}).get("dns", {})
    if dns.get("hostname") != svc["metadata"]["name"] or \
            str(dns.get("port")) not in [str(p["port"]) for p in svc["spec"]["ports"]]:
        problems.append(f"the Collector's dns resolver does not name {svc['metadata']['name']}")
    if "loadbalancing" not in config.get("service", {}).get("pipelines", {}).get(
            "traces", {}).get("exporters", []):
        problems.append("the Collector's traces pipeline does not export to loadbalancing")
    collector = named(docs, "Deployment", "traceproof-collector")
    if not collector or "--config=/conf/" + COLLECTOR_KEY not in container(
            collector, "collector").get("args", []):
        problems.append("the Collector Deployment does not run collector-config.yaml")


def check_pods(docs, problems):
    for doc in docs:
        if "template" not in doc.get("spec", {}):
            continue
        spec = pod_spec(doc)
        if spec.get("securityContext", {}).get("runAsNonRoot") is not True:
            problems.append(f"{doc['metadata']['name']}: pods may run as root")
        for c in spec.get("initContainers", []) + spec.get("containers", []):
            where = f"{doc['metadata']['name']}/{c['name']}"
            res = c.get("resources", {})
            if not res.get("requests") or not res.get("limits"):
                problems.append(f"{where}: no resource requests and limits")
            if c.get("securityContext", {}).get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: privilege escalation is allowed")
            if doc["kind"] != "Job" and not (c.get("readinessProbe") and c.get("livenessProbe")):
                problems.append(f"{where}: no readiness and liveness probes")


def problems_of(docs, scenario_text):
    """Every way the rendered manifests are miswired, as sentences; empty when none."""
    problems = []
    checks = [lambda: check_shards(docs, scenario_text, problems),
              lambda: check_sink_tier(docs, problems), lambda: check_variables(docs, problems),
              lambda: check_references(docs, problems), lambda: check_pods(docs, problems)]
    for check in checks:
        try:
            check()
        except (KeyError, TypeError, AttributeError) as e:
            problems.append(f"a field the checks read is missing ({e!r})")
    return problems
