#include "receiver/http_handler.h"

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/trim.hpp>
#include <optional>
#include <string>

#include "otlp/gzip.h"
#include "otlp/json.h"
#include "otlp/rpc_status.h"
#include "receiver/header_auth.h"

namespace traceproof {
namespace {

namespace http = boost::beast::http;

enum class Encoding { kProtobuf, kJson, kOther };

constexpr int kRpcInvalidArgument = 3;
constexpr int kRpcResourceExhausted = 8;
constexpr int kRpcUnauthenticated = 16;

std::string MediaType(boost::beast::string_view header) {
  std::string type(header.substr(0, header.find(';')));  // beast::string_view
  boost::algorithm::trim(type);
  boost::algorithm::to_lower(type);
  return type;
}

HttpResponse Reply(const HttpRequest& req, http::status status, std::string content_type,
                   std::string body) {
  HttpResponse res{status, req.version()};
  res.set(http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse Error(const HttpRequest& req, Encoding enc, http::status status, int rpc_code,
                   const std::string& message) {
  switch (enc) {
    case Encoding::kProtobuf:
      return Reply(req, status, "application/x-protobuf", RpcStatusProto(rpc_code, message));
    case Encoding::kJson:
      return Reply(req, status, "application/json", RpcStatusJson(rpc_code, message));
    case Encoding::kOther:
      break;
  }
  return Reply(req, status, "text/plain; charset=utf-8", message + "\n");
}

// A request for anything but POST /v1/traces: the answer, counted as malformed.
std::optional<HttpResponse> RefuseRoute(const HttpRequest& req, IngestCounters& counters) {
  std::string_view target(req.target().data(), req.target().size());
  target = target.substr(0, target.find('?'));
  if (target != "/v1/traces") {
    counters.RefuseRequest(RefusalReason::kMalformed);
    return Error(req, Encoding::kOther, http::status::not_found, 5,
                 "no such endpoint; OTLP traces go to POST /v1/traces");
  }
  if (req.method() != http::verb::post) {
    counters.RefuseRequest(RefusalReason::kMalformed);
    auto res = Error(req, Encoding::kOther, http::status::method_not_allowed, 12,
                     "use POST for /v1/traces");
    res.set(http::field::allow, "POST");
    return res;
  }
  return std::nullopt;
}

// A request without every required header: 401, counted, before anything else is looked at
// (an unauthenticated client learns nothing about routes or encodings).
std::optional<HttpResponse> RefuseUnauthenticated(const HttpRequest& req, Encoding enc,
                                                  IngestCounters& counters,
                                                  const ReceiverLimits& limits) {
  if (limits.required_headers.empty()) return std::nullopt;
  const bool ok =
      HasRequiredHeaders(limits.required_headers, [&](std::string_view name, const auto& visit) {
        const auto [begin, end] =
            req.equal_range(boost::beast::string_view(name.data(), name.size()));
        for (auto it = begin; it != end; ++it)
          if (visit(std::string_view(it->value().data(), it->value().size()))) return;
      });
  if (ok) return std::nullopt;
  counters.RefuseRequest(RefusalReason::kUnauthenticated);
  // Names the headers, never their values.
  return Error(req, enc, http::status::unauthorized, kRpcUnauthenticated,
               "this sink requires the header(s) " + RequiredHeaderNames(limits.required_headers) +
                   " with the configured value");
}

// The body as it arrived, decompressed (within the limit) per Content-Encoding, into `body`;
// or the answer that refuses it.
std::optional<HttpResponse> Decompress(HttpRequest& req, Encoding enc, IngestCounters& counters,
                                       const ReceiverLimits& limits, std::string& body) {
  const std::string encoding = MediaType(req[http::field::content_encoding]);
  if (encoding == "gzip") {
    GunzipResult unzipped = Gunzip(req.body(), limits.max_body_bytes);
    if (unzipped.status == GunzipStatus::kTooLarge) {
      counters.RefuseRequest(RefusalReason::kTooLarge);
      return Error(req, enc, http::status::payload_too_large, kRpcInvalidArgument, unzipped.error);
    }
    if (unzipped.status == GunzipStatus::kCorrupt) {
      counters.RefuseRequest(RefusalReason::kBadContentEncoding);
      return Error(req, enc, http::status::bad_request, kRpcInvalidArgument, unzipped.error);
    }
    body = std::move(unzipped.bytes);
    return std::nullopt;
  }
  if (encoding.empty() || encoding == "identity") {
    if (req.body().size() > limits.max_body_bytes) {
      counters.RefuseRequest(RefusalReason::kTooLarge);
      return Error(req, enc, http::status::payload_too_large, kRpcInvalidArgument,
                   "body exceeds " + std::to_string(limits.max_body_bytes) + " bytes");
    }
    body = std::move(req.body());
    return std::nullopt;
  }
  counters.RefuseRequest(RefusalReason::kBadContentEncoding);
  return Error(req, enc, http::status::unsupported_media_type, kRpcInvalidArgument,
               "Content-Encoding '" + encoding + "' is not supported; use gzip or none");
}

// What the client is told about an ingested request, in its own encoding.
HttpResponse Answer(const HttpRequest& req, Encoding enc, const IngestOutcome& outcome,
                    const ReceiverLimits& limits) {
  switch (outcome.kind) {
    case IngestOutcome::Kind::kMalformed:
      return Error(req, enc, http::status::bad_request, kRpcInvalidArgument, outcome.message);
    case IngestOutcome::Kind::kStoreFull: {
      auto res =
          Error(req, enc, http::status::too_many_requests, kRpcResourceExhausted, outcome.message);
      res.set(http::field::retry_after, std::to_string(limits.retry_after.count()));
      return res;
    }
    case IngestOutcome::Kind::kOk:
      break;
  }
  if (enc == Encoding::kJson) {
    return Reply(req, http::status::ok, "application/json",
                 ExportResponseJson(outcome.rejected_spans, outcome.message));
  }
  return Reply(req, http::status::ok, "application/x-protobuf",
               ExportResponseProto(outcome.rejected_spans, outcome.message));
}

}  // namespace

HttpResponse HandleOtlpHttp(HttpRequest&& req, SpanConsumer& consumer, IngestCounters& counters,
                            const ReceiverLimits& limits) {
  counters.requests.fetch_add(1, std::memory_order_relaxed);
  const std::string type = MediaType(req[http::field::content_type]);
  Encoding enc = type == "application/x-protobuf" ? Encoding::kProtobuf
                 : type == "application/json"     ? Encoding::kJson
                                                  : Encoding::kOther;
  if (auto refused = RefuseUnauthenticated(req, enc, counters, limits)) return std::move(*refused);
  if (auto refused = RefuseRoute(req, counters)) return std::move(*refused);
  if (enc == Encoding::kOther) {
    counters.RefuseRequest(RefusalReason::kUnsupportedMediaType);
    return Error(req, enc, http::status::unsupported_media_type, kRpcInvalidArgument,
                 "Content-Type '" + type +
                     "' is not supported; use application/x-protobuf or application/json");
  }

  auto body = std::make_shared<std::string>();
  if (auto refused = Decompress(req, enc, counters, limits, *body)) return std::move(*refused);
  if (enc == Encoding::kJson) {
    JsonToProtoResult converted = OtlpJsonToProto(*body);
    if (!converted.ok()) {
      counters.RefuseRequest(RefusalReason::kMalformed);
      return Error(req, enc, http::status::bad_request, kRpcInvalidArgument, converted.error);
    }
    *body = std::move(converted.bytes);
  }
  return Answer(req, enc, Ingest(std::move(body), consumer, counters), limits);
}

}  // namespace traceproof
