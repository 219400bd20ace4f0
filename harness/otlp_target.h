// Where the exporters of `traceproof serve` and the span load of `bench send` send spans, and
// how: the OTel SDK variables first (tracing/otlp_env.h), then the command's flags over them,
// with the certificate files read here, at the edge. Turned into the exporter factory the mock
// services call per service. Used by the command thread only.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/env_expand.h"
#include "mock_services/mock_services.h"
#include "receiver/otlp_forwarder.h"
#include "tracing/client_tls.h"
#include "tracing/otlp_env.h"
#include "tracing/otlp_exporter_options.h"

namespace traceproof {

struct OtlpTarget {
  OtlpEndpoint endpoint{true, false, "127.0.0.1", 4317, "/v1/traces"};
  std::optional<ClientTls> tls;  // set when endpoint.tls
  // Sent with every export (a sink's `--require-header`); names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;
};

struct OtlpTargetFlags {
  std::string endpoint;                           // empty: from the variables
  std::string endpoint_flag = "--otlp-endpoint";  // what errors about `endpoint` call it
  std::string protocol;                           // empty: from the variables
  std::vector<std::string> headers;  // NAME=VALUE, ${VAR} expanded; a name here replaces the env's
  std::string headers_flag = "--otlp-header";  // what errors about `headers` call them
  bool use_env = true;                         // false: the variables are not read at all
};

// The variables (when flags.use_env), then the flags. Throws std::invalid_argument naming the
// flag or variable that is wrong (never a header value).
OtlpTarget ResolveOtlpTarget(const OtlpTargetFlags& flags, const GetEnvFn& getenv);

// The exporter options for `target`, its resource left to the caller.
OtlpExporterOptions ExporterOptions(const OtlpTarget& target);
mock::ExporterFactory MakeExporterFactory(const OtlpTarget& target);

// `--forward-to URL` (OTLP/gRPC): the endpoint from the flag alone (https:// for TLS; a
// variable never turns forwarding on), TLS files, headers, timeout and compression from the
// variables. Throws std::invalid_argument naming the flag or variable.
ForwarderOptions ResolveForwarder(const std::string& flag, const GetEnvFn& getenv);

// "OTLP/gRPC to https://host:4317 (TLS, headers: authorization)": what a command prints.
std::string DescribeOtlpTarget(const OtlpTarget& target);

}  // namespace traceproof
