// google.rpc.Status, the error body OTLP uses on both transports (HTTP error responses and the
// gRPC `grpc-status-details-bin` trailer), optionally carrying google.rpc.RetryInfo so SDKs and
// the Collector back off by the delay we ask for. The two google.rpc messages are tiny and not
// shipped as C++ by any Debian package, so they are encoded here with protobuf's own
// CodedOutputStream and well-known Any/Duration types. Pure functions, thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace traceproof {

// `code` is a google.rpc.Code (= gRPC status code), e.g. 3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED.
std::string RpcStatusProto(int code, std::string_view message,
                           std::optional<std::chrono::seconds> retry_after = std::nullopt);
std::string RpcStatusJson(int code, std::string_view message);

}  // namespace traceproof
