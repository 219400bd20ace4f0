// The OTel SDK's exporter variables (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT, _PROTOCOL,
// _CERTIFICATE, _CLIENT_KEY, _CLIENT_CERTIFICATE, _HEADERS, _INSECURE, _TIMEOUT, _COMPRESSION),
// resolved with the specification's precedence
// (https://opentelemetry.io/docs/specs/otel/protocol/exporter/): a TRACES_ variable wins over
// the generic one; OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended for OTLP/HTTP, the
// TRACES_ endpoint is used as it is; https means TLS, and a gRPC endpoint without a scheme is
// TLS unless _INSECURE is true. `traceproof serve`, `bench send` and the forwarder start from
// these and let their flags override. `run` never reads them for its mocks: a CI job with them
// set must not send test spans elsewhere. Plain data and plain functions over a GetEnvFn:
// thread-safe, and testable without touching the process environment.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/env_expand.h"

namespace traceproof {

struct OtlpEndpoint {
  bool grpc = true;
  bool tls = false;
  std::string host = "localhost";
  std::uint16_t port = 4317;
  std::string path = "/v1/traces";  // OTLP/HTTP's request target; unused by gRPC

  std::string HostPort() const;  // "host:port", "[::1]:port"
  std::string Url() const;       // "https://host:port/v1/traces" (no path for gRPC)
};

struct OtlpExportSettings {
  OtlpEndpoint endpoint;
  // Files, read at the edge into a ClientTls (tracing/client_tls.h) when endpoint.tls.
  std::string ca_file, client_cert_file, client_key_file;
  // The variable each file came from, for errors that name it.
  std::string ca_from = "OTEL_EXPORTER_OTLP_CERTIFICATE";
  std::string client_cert_from = "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE";
  std::string client_key_from = "OTEL_EXPORTER_OTLP_CLIENT_KEY";
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;
};

// Everything from the variables, with the specification's defaults where none is set
// (http://localhost:4317 for grpc, http://localhost:4318/v1/traces for http/protobuf). `grpc`
// is the protocol a flag chose (nullopt: _PROTOCOL's, else grpc); the endpoint is read for it.
// nullopt with `error` naming the variable ("OTEL_EXPORTER_OTLP_TIMEOUT 'soon': not a number
// of milliseconds from 1 to 86400000"); a header value never appears in an error.
std::optional<OtlpExportSettings> OtlpSettingsFromEnv(const GetEnvFn& getenv,
                                                      std::optional<bool> grpc, std::string& error);

// An endpoint given on a command line (`--otlp-endpoint`, `--forward-to`): "https://h:p[/path]",
// "http://h:p[/path]" or "h:p". Unlike the variables, "h:p" is plain text for both protocols
// (as traceproof has always read it). A path is kept for OTLP/HTTP ("/v1/traces" when none).
// nullopt with `error` naming `what`.
std::optional<OtlpEndpoint> ParseOtlpEndpointFlag(std::string_view what, std::string_view text,
                                                  bool grpc, std::string& error);

// "grpc" | "http/protobuf" (also "http"): true for gRPC; nullopt for anything else
// (http/json is not spoken by our exporters).
std::optional<bool> ParseOtlpProtocol(std::string_view protocol);

// OTEL_EXPORTER_OTLP_HEADERS' form, "k1=v1,k2=v2" with percent-encoded values (the W3C
// Baggage octets); names lower-cased. nullopt with `error` naming `what` and the entry's
// position, never its value.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseOtlpHeaders(
    std::string_view what, std::string_view text, std::string& error);

}  // namespace traceproof
