#include "otlp_target.h"

#include <stdexcept>

#include "endpoint.h"
#include "tracing/otlp_grpc_exporter.h"
#include "tracing/otlp_http_exporter.h"

namespace traceproof {

OtlpTarget ParseOtlpTarget(const std::string& endpoint, const std::string& protocol) {
  OtlpTarget t;
  if (protocol == "grpc") {
    t.grpc = true;
  } else if (protocol == "http/protobuf" || protocol == "http") {
    t.grpc = false;
  } else {
    throw std::invalid_argument("OTLP protocol '" + protocol +
                                "' is not supported; use grpc or http/protobuf");
  }
  std::string rest = endpoint;
  for (const char* scheme : {"http://", "https://"}) {
    if (rest.rfind(scheme, 0) == 0) rest = rest.substr(std::string(scheme).size());
  }
  if (auto slash = rest.find('/'); slash != std::string::npos) rest = rest.substr(0, slash);
  auto ep = ParseEndpoint("--otlp-endpoint", rest);
  if (!ep) throw std::invalid_argument("--otlp-endpoint cannot be 'off' here");
  t.host = ep->host;
  t.port = ep->port;
  return t;
}

mock::ExporterFactory MakeExporterFactory(const OtlpTarget& target) {
  return [target](const ResourceInfo& resource) -> std::unique_ptr<SpanExporter> {
    OtlpExporterOptions o;
    o.endpoint = target.host + ":" + std::to_string(target.port);
    o.resource = resource;
    o.headers = target.headers;
    return target.grpc ? MakeOtlpGrpcExporter(o) : MakeOtlpHttpExporter(o);
  };
}

}  // namespace traceproof
