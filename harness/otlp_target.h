// Where mock services send their spans: OTLP/gRPC or OTLP/HTTP at host:port, parsed once from a
// flag or OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_PROTOCOL, turned into the exporter
// factory the mock services call per service.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mock_services/mock_services.h"

namespace traceproof {

struct OtlpTarget {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4317;
  bool grpc = true;
  // Sent with every export (a sink's `--require-header`); names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;
};

// "http://host:port", "host:port"; protocol "grpc" | "http/protobuf". Throws
// std::invalid_argument naming the bad value.
OtlpTarget ParseOtlpTarget(const std::string& endpoint, const std::string& protocol);
mock::ExporterFactory MakeExporterFactory(const OtlpTarget& target);

}  // namespace traceproof
