#!/usr/bin/env bash
# Acceptance: `traceproof sink --tls-cert --tls-key [--tls-client-ca]` serves OTLP/HTTP (curl)
# and OTLP/gRPC (the official gRPC Python package in .venv) over TLS 1.2+ only: HTTPS with the
# CA -> 200; plain HTTP on the TLS port -> 400 saying so; TLS 1.1 -> refused; gRPC over TLS ->
# OK, plain-text gRPC -> never connects. With --tls-client-ca: no client certificate -> refused
# (HTTP and gRPC), a certificate the CA signed -> accepted. Every refused HTTPS connection is
# counted as tls_handshake in the summary. Bad files are exit 2 before anything listens. The
# certificates are made here with the openssl CLI and deleted afterwards.
# usage: sink_tls.sh TRACEPROOF_BINARY VENV_DIR
set -euo pipefail
bin="$1"
python="$2/bin/python"
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; echo "--- sink output:" >&2; cat "$work"/*.out >&2; exit 1; }
[ -x "$python" ] || { echo "FAIL: no $python (scripts/bootstrap --test makes .venv)" >&2; exit 1; }

# A CA, a server certificate for 127.0.0.1 and localhost, a client certificate: all from the CA.
(
  cd "$work"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 \
    -subj "/CN=traceproof test CA"
  openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
    -days 1 -extfile server.ext
  openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=client"
  openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 1
) >"$work/openssl.log" 2>&1 || { cat "$work/openssl.log" >&2; echo "FAIL: openssl" >&2; exit 1; }

set +e
"$bin" sink --tls-cert "$work/server.pem" --tls-key "$work/client.key" --duration 1 >"$work/mismatch.log" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || { cat "$work/mismatch.log" >&2; echo "FAIL: a key of another certificate exited $rc, want 2" >&2; exit 1; }
echo "ok   a key that does not match the certificate -> exit 2"

start_sink() {  # start_sink NAME [FLAGS...]: sets pid, grpc, http
  local name=$1
  shift
  "$bin" sink --grpc 127.0.0.1:0 --http 127.0.0.1:0 --quiet-ms 100 --duration 60 \
    --tls-cert "$work/server.pem" --tls-key "$work/server.key" "$@" >"$work/$name.out" 2>&1 &
  pid=$!
  grpc="" http=""
  for _ in $(seq 100); do
    grpc=$(sed -n 's#^otlp/grpc listening on .*:\([0-9]*\)$#\1#p' "$work/$name.out" 2>/dev/null || true)
    http=$(sed -n 's#^otlp/http listening on .*:\([0-9]*\)$#\1#p' "$work/$name.out" 2>/dev/null || true)
    [ -n "$grpc" ] && [ -n "$http" ] && break
    sleep 0.1
  done
  [ -n "$grpc" ] && [ -n "$http" ] || fail "$name: sink did not print its ports"
}
stop_sink() {  # stop_sink NAME -> the summary in $work/NAME.out
  kill -TERM "$pid"
  wait "$pid" || fail "$1: sink exited non-zero after SIGTERM"
  pid=""
}
post() {  # post SCHEME [CURL ARGS...] -> the status (000: no HTTP answer)
  local scheme=$1
  shift
  curl -s --max-time 20 -o "$work/body" -w '%{http_code}' -H 'Content-Type: application/x-protobuf' \
    --data-binary '' "$@" "$scheme://127.0.0.1:$http/v1/traces" || true
}
grpc_export() {  # grpc_export tls|plain [CLIENT_CERT CLIENT_KEY] -> ok | the failure
  "$python" - "$grpc" "$work/ca.pem" "$@" <<'PY'
import sys, grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as pb
port, ca, mode = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "tls":
    cert = open(sys.argv[4], "rb").read() if len(sys.argv) > 4 else None
    key = open(sys.argv[5], "rb").read() if len(sys.argv) > 5 else None
    creds = grpc.ssl_channel_credentials(open(ca, "rb").read(), key, cert)
    channel = grpc.secure_channel(f"127.0.0.1:{port}", creds)
else:
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
export = channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                             request_serializer=pb.ExportTraceServiceRequest.SerializeToString,
                             response_deserializer=pb.ExportTraceServiceResponse.FromString)
try:
    export(pb.ExportTraceServiceRequest(), timeout=3)
    print("ok")
except grpc.RpcError as e:
    print(e.code().name)
PY
}

start_sink tls
grep -qF "TLS 1.2+ on both receivers" "$work/tls.out" || fail "the sink does not say it serves TLS"
[ "$(post https --cacert "$work/ca.pem")" = 200 ] || fail "HTTPS with the CA: not 200"
[ "$(post http)" = 400 ] || fail "plain HTTP on the TLS port: not 400"
grep -qF "this port speaks TLS" "$work/body" || fail "plain HTTP: the answer does not say why"
[ "$(post https --cacert "$work/ca.pem" --tls-max 1.1)" = 000 ] || fail "TLS 1.1 was accepted"
[ "$(grpc_export tls)" = ok ] || fail "gRPC over TLS failed"
[ "$(grpc_export plain)" != ok ] || fail "plain-text gRPC on the TLS port was accepted"
stop_sink tls
# HTTPS, plain HTTP, TLS 1.1 and the gRPC export over TLS.
grep -qF -- "requests  4 received, 2 refused (tls_handshake 2)" "$work/tls.out" \
  || fail "the summary does not count the plain-text and TLS 1.1 connections as tls_handshake"
echo "ok   TLS: HTTPS 200, plain HTTP 400 saying why, TLS 1.1 refused, gRPC over TLS only; counted"

start_sink mtls --tls-client-ca "$work/ca.pem"
grep -qF "clients must present a certificate" "$work/mtls.out" || fail "mTLS not announced"
[ "$(post https --cacert "$work/ca.pem")" = 000 ] || fail "mTLS: HTTPS without a client certificate was answered"
[ "$(post https --cacert "$work/ca.pem" --cert "$work/client.pem" --key "$work/client.key")" = 200 ] \
  || fail "mTLS: HTTPS with the client certificate: not 200"
[ "$(grpc_export tls)" != ok ] || fail "mTLS: gRPC without a client certificate was accepted"
[ "$(grpc_export tls "$work/client.pem" "$work/client.key")" = ok ] \
  || fail "mTLS: gRPC with the client certificate failed"
stop_sink mtls
# HTTPS without and with the certificate, and the gRPC export with it (gRPC refuses one
# without in its transport, uncounted).
grep -qF -- "requests  3 received, 1 refused (tls_handshake 1)" "$work/mtls.out" \
  || fail "mTLS: the summary does not count the connection without a certificate"
echo "ok   mutual TLS: a client certificate signed by --tls-client-ca is required (HTTP and gRPC)"

# TLS secures a sink beyond loopback: no warning (sink_listen_warning.sh has the warning itself).
"$bin" sink --grpc 0.0.0.0:0 --http off --duration 0.3 --tls-cert "$work/server.pem" \
  --tls-key "$work/server.key" >"$work/open.out" 2>"$work/open.err" || fail "open: exit $?"
if grep -q "warning" "$work/open.err"; then fail "warned about a TLS sink beyond loopback"; fi
echo "ok   beyond loopback with TLS: no warning"
