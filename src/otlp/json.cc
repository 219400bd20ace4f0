#include "otlp/json.h"

#include <absl/strings/escaping.h>
#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace traceproof {
namespace {

using nlohmann::json;
namespace pb_collector = opentelemetry::proto::collector::trace::v1;

// The OTLP/JSON spec names lowerCamelCase keys; we also accept the proto field names.
json* Member(json& obj, const char* camel, const char* snake) {
  if (!obj.is_object()) return nullptr;
  if (auto it = obj.find(camel); it != obj.end()) return &*it;
  if (auto it = obj.find(snake); it != obj.end()) return &*it;
  return nullptr;
}

// Rewrites a hex id in place as base64; returns an error naming `path` when it is not hex.
std::string HexIdToBase64(json& id, const std::string& path) {
  if (!id.is_string()) return fmt::format("{}: want a hex string, got {}", path, id.type_name());
  const std::string& hex = id.get_ref<const std::string&>();
  if (hex.size() % 2 != 0) return fmt::format("{}: odd number of hex digits ({})", path, hex.size());
  std::string raw(hex.size() / 2, '\0');
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return fmt::format("{}: not hex at character {}", path, 2 * i);
    raw[i] = static_cast<char>(hi << 4 | lo);
  }
  id = absl::Base64Escape(raw);
  return {};
}

std::string RewriteIds(json& span, const std::string& path) {
  static constexpr std::pair<const char*, const char*> kIdKeys[] = {
      {"traceId", "trace_id"}, {"spanId", "span_id"}, {"parentSpanId", "parent_span_id"}};
  for (const auto& [camel, snake] : kIdKeys) {
    if (json* id = Member(span, camel, snake)) {
      if (auto err = HexIdToBase64(*id, fmt::format("{}.{}", path, camel)); !err.empty())
        return err;
    }
  }
  if (json* links = Member(span, "links", "links"); links && links->is_array()) {
    for (std::size_t i = 0; i < links->size(); ++i) {
      if (auto err = RewriteIds((*links)[i], fmt::format("{}.links[{}]", path, i)); !err.empty())
        return err;
    }
  }
  return {};
}

}  // namespace

static JsonToProtoResult OtlpJsonToProtoOrThrow(std::string_view text);

JsonToProtoResult OtlpJsonToProto(std::string_view text) {
  // nlohmann reports bad input by exception (parse errors, number overflow, invalid UTF-8 on
  // dump); this is the network edge, so every one of them becomes an error value here.
  try {
    return OtlpJsonToProtoOrThrow(text);
  } catch (const json::exception& e) {
    JsonToProtoResult result;
    result.error = fmt::format("invalid JSON: {}", e.what());
    return result;
  }
}

static JsonToProtoResult OtlpJsonToProtoOrThrow(std::string_view text) {
  JsonToProtoResult result;
  json doc = json::parse(text);
  if (!doc.is_object()) {
    result.error = fmt::format("request: want a JSON object, got {}", doc.type_name());
    return result;
  }
  if (json* rss = Member(doc, "resourceSpans", "resource_spans"); rss && rss->is_array()) {
    for (std::size_t r = 0; r < rss->size(); ++r) {
      json* sss = Member((*rss)[r], "scopeSpans", "scope_spans");
      if (!sss || !sss->is_array()) continue;
      for (std::size_t s = 0; s < sss->size(); ++s) {
        json* spans = Member((*sss)[s], "spans", "spans");
        if (!spans || !spans->is_array()) continue;
        for (std::size_t i = 0; i < spans->size(); ++i) {
          std::string path =
              fmt::format("resourceSpans[{}].scopeSpans[{}].spans[{}]", r, s, i);
          if (auto err = RewriteIds((*spans)[i], path); !err.empty()) {
            result.error = std::move(err);
            return result;
          }
        }
      }
    }
  }
  pb_collector::ExportTraceServiceRequest request;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(doc.dump(), &request, options);
  if (!status.ok()) {
    result.error = fmt::format("invalid OTLP/JSON: {}", std::string(status.message()));
    return result;
  }
  request.SerializeToString(&result.bytes);
  return result;
}

namespace {
pb_collector::ExportTraceServiceResponse MakeResponse(std::uint64_t rejected,
                                                      std::string_view message) {
  pb_collector::ExportTraceServiceResponse response;
  if (rejected > 0 || !message.empty()) {
    auto* partial = response.mutable_partial_success();
    partial->set_rejected_spans(static_cast<std::int64_t>(rejected));
    partial->set_error_message(std::string(message));
  }
  return response;
}
}  // namespace

std::string ExportResponseJson(std::uint64_t rejected_spans, std::string_view error_message) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(MakeResponse(rejected_spans, error_message),
                                                    &out);
  return out;
}

std::string ExportResponseProto(std::uint64_t rejected_spans, std::string_view error_message) {
  return MakeResponse(rejected_spans, error_message).SerializeAsString();
}

}  // namespace traceproof
