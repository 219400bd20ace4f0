// A service's OTLP Resource (service.name plus OTEL_RESOURCE_ATTRIBUTES) and instrumentation
// scope, pre-encoded once, since every export request of that service repeats them. Plain data.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace traceproof {

struct ResourceInfo {
  std::vector<std::pair<std::string, std::string>> attributes;  // service.name first
  std::string encoded_resource;  // serialized opentelemetry.proto.resource.v1.Resource
  std::string encoded_scope;     // serialized InstrumentationScope{name, version}
};

// service.name from `service_name`, else OTEL_SERVICE_NAME, else "unknown_service"; extra
// attributes from OTEL_RESOURCE_ATTRIBUTES (k=v,k2=v2, percent-decoded) unless overridden.
ResourceInfo MakeResource(const std::string& service_name,
                          std::vector<std::pair<std::string, std::string>> extra = {},
                          const std::string& resource_attributes_env = "");

}  // namespace traceproof
