"""The sink tier's Collector configs load in otelcol-traceproof (`validate`: every component
exists in compose/collector/builder.yaml's build and accepts its settings): the cluster's
config as rendered into its ConfigMap, and the static-resolver config for loopback. A config
with an unknown routing_key must be refused, so that `validate` is seen to judge the
loadbalancing exporter's settings. Used by k8s_manifests.py."""
import pathlib
import subprocess
import tempfile


def collector_binary(root):
    return pathlib.Path(subprocess.run([str(root / "scripts" / "build-collector"), "--path"],
                                       capture_output=True, text=True, check=True).stdout.strip())


def validate_error(otelcol, text):
    """None when the Collector accepts the config text, else what it said."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as f:
        f.write(text)
        f.flush()
        run = subprocess.run([str(otelcol), "validate", f"--config={f.name}"],
                             capture_output=True, text=True, timeout=60)
    if run.returncode == 0:
        return None
    return (run.stderr.strip().splitlines() or [f"exit {run.returncode}"])[-1]


def collector_failures(root, k8s_config_text):
    otelcol = collector_binary(root)
    if not otelcol.exists():
        return [f"the Collector {otelcol} is missing: run scripts/build-collector"]
    failures = []
    static = (root / "compose" / "collector" / "loadbalancing-config.yaml").read_text()
    for what, text in (("compose/k8s collector-config.yaml", k8s_config_text),
                       ("compose/collector/loadbalancing-config.yaml", static)):
        error = validate_error(otelcol, text)
        if error:
            failures.append(f"otelcol-traceproof refused {what}: {error}")
    broken = static.replace("routing_key: traceID", "routing_key: traceid-typo")
    if broken == static or validate_error(otelcol, broken) is None:
        failures.append("otelcol-traceproof accepted a loadbalancing routing_key that does not "
                        "exist: its validate does not judge the exporter's settings")
    return failures
