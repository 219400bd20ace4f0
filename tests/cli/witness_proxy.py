#!/usr/bin/env python3
"""The witness path end to end, without the user's app: gateway (ours) -> checkout (`external:`,
a small HTTP proxy in this process) -> payments (ours). With a proxy that drops every header,
payments' spans start new traces and the request id does not survive, which ground truth alone
cannot see (it once read "0 of 200 requests broken" for 100 load requests): the propagation
check must fail naming "checkout -> payments". With a proxy that passes the W3C trace headers
on (and nothing of the harness'), it must pass, counting each load request once.
usage: witness_proxy.py TRACEPROOF_BINARY OUT_DIR"""
import http.client
import http.server
import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

W3C = ("traceparent", "tracestate", "baggage")
RATE_PER_S = 50
SECONDS = 2

SCENARIO = """\
name: witness-{mode}
services:
  gateway:
    routes:
      "GET /checkout":
        - call: checkout POST /pay
  checkout: {{ external: "127.0.0.1:{proxy_port}" }}
  payments:
    port: {payments_port}
    routes:
      "POST /charge":
        - work: {{ name: charge-card, latency: 1ms }}
load:
  - {{ route: "gateway GET /checkout", arrival: constant, rate: {rate}/s, duration: {seconds}s }}
checks:
  - propagation: {{ broken_traces: "== 0" }}
"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proxy(port, payments_port, forward_trace_headers):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {"Content-Type": "application/json"}
            if forward_trace_headers:
                headers.update({k: v for k, v in self.headers.items() if k.lower() in W3C})
            conn = http.client.HTTPConnection("127.0.0.1", payments_port, timeout=10)
            conn.request("POST", "/charge", body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            conn.close()
            self.send_response(answer.status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(binary, out, mode):
    proxy_port, payments_port = free_port(), free_port()
    server = proxy(proxy_port, payments_port, mode == "forwarding")
    try:
        out.mkdir(parents=True, exist_ok=True)
        scenario = out / f"witness-{mode}.yaml"
        scenario.write_text(SCENARIO.format(mode=mode, proxy_port=proxy_port,
                                            payments_port=payments_port, rate=RATE_PER_S,
                                            seconds=SECONDS))
        results = out / mode
        proc = subprocess.run([binary, "run", str(scenario), "--out", str(results)],
                              capture_output=True, text=True, timeout=120)
        summary = json.loads((results / "summary.json").read_text())
    finally:
        server.shutdown()
    check = next(c for c in summary["checks"] if c["kind"] == "propagation")
    print(f"witness: {mode}: exit {proc.returncode}, {check['status']}: {check['reason']}")
    return proc.returncode, check, summary


def main():
    binary, out = sys.argv[1], Path(sys.argv[2])
    failures = []
    rc, check, summary = run(binary, out, "dropping")
    sent = summary["load"]["sent"]
    want = f"checkout \u2192 payments: {sent} of {sent} calls arrived without trace context"
    if rc != 1 or check["status"] != "fail" or want not in check["reason"]:
        failures.append(f"dropping proxy: want exit 1 and a failing check naming '{want}'")
    if check["details"].get("requests") != sent:
        failures.append(f"dropping proxy: {check['details'].get('requests')} requests, want {sent}")
    rc, check, summary = run(binary, out, "forwarding")
    sent = summary["load"]["sent"]
    if rc != 0 or check["status"] != "pass":
        failures.append("forwarding proxy: want exit 0 and a passing check")
    if check["details"].get("requests") != sent:
        failures.append(f"forwarding proxy: {check['details'].get('requests')} requests, "
                        f"want {sent} (each load request once)")
    for f in failures:
        print("FAIL: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
