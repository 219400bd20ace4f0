#include "truth/inbound_record.h"

#include <nlohmann/json.hpp>

#include "otlp/json_writer.h"

namespace traceproof {

std::string_view InboundStateName(InboundContext::State state) {
  switch (state) {
    case InboundContext::State::kNone:
      return "none";
    case InboundContext::State::kMalformed:
      return "malformed";
    case InboundContext::State::kValid:
      return "valid";
  }
  return "none";
}

// Keys in byte order, as nlohmann writes an object (the test compares the two).
std::string InboundToJson(const InboundRecord& r) {
  std::string out;
  out.reserve(384);
  JsonWriter w(out);
  const bool valid = r.context.state == InboundContext::State::kValid;
  w.BeginObject();
  if (r.callers) {
    w.Member("callers_apps", r.callers->apps);
    w.Member("callers_mocks", r.callers->mocks);
    w.Member("callers_outside", r.callers->outside);
  }
  w.Member("context", InboundStateName(r.context.state));
  w.BoolMember("from_load", r.from_load);
  w.BoolMember("from_mock", r.from_mock);
  w.Member("kind", r.kind == InboundRecord::Kind::kHttp ? "http" : "message");
  if (valid) w.Member("parent_span_id", r.context.parent_span_id.Hex());
  if (r.context.state == InboundContext::State::kMalformed) w.Member("raw", r.context.raw);
  w.Member("record", "inbound");
  w.Member("request_id", r.request_id);
  w.BoolMember("request_id_carried", r.request_id_carried);
  if (valid) w.BoolMember("sampled", r.context.sampled);
  w.Member("service", r.service);
  w.Member("span_trace_id", r.span_trace_id.IsValid() ? r.span_trace_id.Hex() : std::string());
  w.Member("target", r.target);
  w.Member("time_unix_nano", r.time_unix_ns);
  if (valid) w.Member("trace_id", r.context.trace_id.Hex());
  w.EndObject();
  return out;
}

namespace {

template <typename IdT>
bool ReadId(const nlohmann::json& j, const char* key, bool required, IdT& out, std::string& error) {
  const auto it = j.find(key);
  if (it == j.end() || (it->is_string() && it->get<std::string>().empty())) {
    if (required) error = std::string(key) + " is missing";
    return !required;
  }
  const auto id = it->is_string() ? IdT::FromHex(it->get<std::string>()) : std::nullopt;
  if (!id) {
    error = std::string(key) + " is not an id in hex";
    return false;
  }
  out = *id;
  return true;
}

bool ReadContext(const nlohmann::json& j, InboundContext& c, std::string& error) {
  const std::string state = j.at("context").get<std::string>();
  if (state == "none") return true;
  if (state == "malformed") {
    c.state = InboundContext::State::kMalformed;
    c.raw = j.value("raw", std::string());
    return true;
  }
  if (state != "valid") {
    error = "context is '" + state + "', want none, malformed or valid";
    return false;
  }
  c.state = InboundContext::State::kValid;
  c.sampled = j.at("sampled").get<bool>();
  return ReadId(j, "trace_id", true, c.trace_id, error) &&
         ReadId(j, "parent_span_id", true, c.parent_span_id, error);
}

}  // namespace

std::optional<InboundRecord> InboundFromJson(std::string_view line, std::string& error) {
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("record", std::string()) != "inbound") {
    error = "not an inbound record (a JSON object with \"record\": \"inbound\")";
    return std::nullopt;
  }
  InboundRecord r;
  try {
    r.kind = j.at("kind").get<std::string>() == "message" ? InboundRecord::Kind::kMessage
                                                          : InboundRecord::Kind::kHttp;
    r.service = j.at("service").get<std::string>();
    r.target = j.at("target").get<std::string>();
    if (!ReadContext(j, r.context, error)) return std::nullopt;
    r.from_load = j.at("from_load").get<bool>();
    r.from_mock = j.at("from_mock").get<bool>();
    r.request_id = j.at("request_id").get<std::uint64_t>();
    r.request_id_carried = j.at("request_id_carried").get<bool>();
    if (!ReadId(j, "span_trace_id", false, r.span_trace_id, error)) return std::nullopt;
    r.time_unix_ns = j.at("time_unix_nano").get<std::uint64_t>();
    if (j.contains("callers_mocks") || j.contains("callers_outside")) {
      auto callers = std::make_shared<AllowedCallers>();
      callers->mocks = j.value("callers_mocks", std::vector<std::string>());
      callers->outside = j.value("callers_outside", std::vector<std::string>());
      callers->apps = j.value("callers_apps", std::vector<std::string>());
      r.callers = std::move(callers);
    }
  } catch (const nlohmann::json::exception& e) {
    error = e.what();
    return std::nullopt;
  }
  return r;
}

}  // namespace traceproof
