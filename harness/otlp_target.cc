#include "otlp_target.h"

#include <fmt/format.h>

#include <stdexcept>

#include "config/required_header.h"
#include "tracing/otlp_grpc_exporter.h"
#include "tracing/otlp_http_exporter.h"

namespace traceproof {

OtlpTarget ResolveOtlpTarget(const OtlpTargetFlags& flags, const GetEnvFn& getenv) {
  std::optional<bool> grpc;
  if (!flags.protocol.empty()) {
    grpc = ParseOtlpProtocol(flags.protocol);
    if (!grpc)
      throw std::invalid_argument("OTLP protocol '" + flags.protocol +
                                  "' is not supported; use grpc or http/protobuf");
  }
  OtlpExportSettings settings;
  if (flags.use_env) {
    std::string error;
    auto from_env = OtlpSettingsFromEnv(getenv, grpc, error);
    if (!from_env) throw std::invalid_argument(error);
    settings = std::move(*from_env);
  } else {
    settings.endpoint.grpc = grpc.value_or(true);
    settings.endpoint.port = settings.endpoint.grpc ? 4317 : 4318;
  }
  if (!flags.endpoint.empty()) {
    std::string error;
    auto endpoint =
        ParseOtlpEndpointFlag(flags.endpoint_flag, flags.endpoint, settings.endpoint.grpc, error);
    if (!endpoint) throw std::invalid_argument(error);
    settings.endpoint = std::move(*endpoint);
  }
  std::string error;
  const std::optional<RequiredHeaders> headers = ParseRequiredHeaders(flags.headers, error);
  if (!headers) throw std::invalid_argument(flags.headers_flag + " " + error);
  for (const RequiredHeader& h : *headers) {
    std::erase_if(settings.headers, [&](const auto& kv) { return kv.first == h.name; });
    settings.headers.emplace_back(h.name, h.value);
  }
  OtlpTarget t;
  t.endpoint = settings.endpoint;
  t.headers = std::move(settings.headers);
  t.timeout = settings.timeout;
  t.gzip = settings.gzip;
  if (t.endpoint.tls) {
    auto tls =
        ReadClientTls(settings.ca_file, settings.client_cert_file, settings.client_key_file,
                      settings.ca_from, settings.client_cert_from, settings.client_key_from, error);
    if (!tls) throw std::invalid_argument(error);
    t.tls = std::move(*tls);
  }
  return t;
}

OtlpExporterOptions ExporterOptions(const OtlpTarget& target) {
  OtlpExporterOptions o;
  o.endpoint = target.endpoint.HostPort();
  o.path = target.endpoint.path;
  o.tls = target.tls;
  o.headers = target.headers;
  o.timeout = target.timeout;
  o.gzip = target.gzip;
  return o;
}

mock::ExporterFactory MakeExporterFactory(const OtlpTarget& target) {
  return [options = ExporterOptions(target), grpc = target.endpoint.grpc](
             const ResourceInfo& resource) -> std::unique_ptr<SpanExporter> {
    OtlpExporterOptions o = options;
    o.resource = resource;
    return grpc ? MakeOtlpGrpcExporter(o) : MakeOtlpHttpExporter(o);
  };
}

ForwarderOptions ResolveForwarder(const std::string& flag, const GetEnvFn& getenv) {
  OtlpTargetFlags flags;
  flags.endpoint = flag;
  flags.endpoint_flag = "--forward-to";
  flags.protocol = "grpc";
  const OtlpTarget target = ResolveOtlpTarget(flags, getenv);
  ForwarderOptions o;
  o.endpoint = target.endpoint.HostPort();
  o.tls = target.tls;
  o.headers = target.headers;
  o.timeout = target.timeout;
  o.gzip = target.gzip;
  return o;
}

std::string DescribeOtlpTarget(const OtlpTarget& target) {
  std::string names;
  for (const auto& [name, value] : target.headers) names += (names.empty() ? "" : ", ") + name;
  return fmt::format("OTLP/{} to {}{}{}{}", target.endpoint.grpc ? "gRPC" : "HTTP",
                     target.endpoint.Url(),
                     target.tls && !target.tls->cert_chain_pem.empty() ? " (mutual TLS)" : "",
                     names.empty() ? "" : ", headers: " + names, target.gzip ? ", gzip" : "");
}

}  // namespace traceproof
