#include "load/synthetic_spans.h"

#include <array>
#include <random>
#include <string>

namespace traceproof {

namespace pb_collector = opentelemetry::proto::collector::trace::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;

pb_collector::ExportTraceServiceRequest MakeSyntheticRequest(const SyntheticSpanOptions& o) {
  static constexpr std::array<const char*, 5> kServices = {"gateway", "auth", "orders", "payments",
                                                           "stripe"};
  static constexpr std::array<const char*, 5> kRoutes = {
      "POST /checkout", "POST /validate-token", "POST /orders", "POST /charge", "POST /v1/charges"};
  std::mt19937_64 rng(o.seed);
  pb_collector::ExportTraceServiceRequest request;
  std::array<pb_trace::ScopeSpans*, kServices.size()> scopes{};
  for (std::size_t i = 0; i < kServices.size(); ++i) {
    auto* rs = request.add_resource_spans();
    auto* attr = rs->mutable_resource()->add_attributes();
    attr->set_key("service.name");
    attr->mutable_value()->set_string_value(kServices[i]);
    attr = rs->mutable_resource()->add_attributes();
    attr->set_key("deployment.environment");
    attr->mutable_value()->set_string_value("bench");
    scopes[i] = rs->add_scope_spans();
    scopes[i]->mutable_scope()->set_name("traceproof.synthetic");
    scopes[i]->mutable_scope()->set_version("1");
  }
  auto random_bytes = [&](std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() | 1);  // never all zero
    return s;
  };
  std::string trace_id, parent_id;
  for (int i = 0; i < o.spans; ++i) {
    const int pos = i % o.spans_per_trace;
    if (pos == 0) {
      trace_id = random_bytes(16);
      parent_id.clear();
    }
    const std::size_t svc = static_cast<std::size_t>(pos) % kServices.size();
    auto* span = scopes[svc]->add_spans();
    span->set_trace_id(trace_id);
    span->set_span_id(random_bytes(8));
    span->set_parent_span_id(parent_id);
    parent_id = span->span_id();
    span->set_name(kRoutes[svc]);
    span->set_kind(pos == 0 ? pb_trace::Span::SPAN_KIND_SERVER : pb_trace::Span::SPAN_KIND_CLIENT);
    // Traces start 1 µs apart; within one, each child starts 10 ns after its parent and ends
    // 10 ns before it (offsetting children by their own index put them outside their parent:
    // clock skew to the hygiene check).
    const std::uint64_t start = o.start_unix_ns + static_cast<std::uint64_t>(i - pos) * 1000;
    span->set_start_time_unix_nano(start + static_cast<std::uint64_t>(pos) * 10);
    span->set_end_time_unix_nano(start + 1'000'000 - static_cast<std::uint64_t>(pos) * 10);
    for (int a = 0; a < o.attributes_per_span; ++a) {
      auto* kv = span->add_attributes();
      switch (a % 5) {
        case 0:
          kv->set_key(a == 0 ? "http.request.method" : "app.attr." + std::to_string(a));
          kv->mutable_value()->set_string_value("POST");
          break;
        case 1:
          kv->set_key(a == 1 ? "http.response.status_code" : "app.int." + std::to_string(a));
          kv->mutable_value()->set_int_value(200);
          break;
        case 2:
          kv->set_key(a == 2 ? "url.path" : "app.path." + std::to_string(a));
          kv->mutable_value()->set_string_value("/api/v1/orders/" + std::to_string(rng() % 100000));
          break;
        case 3:
          kv->set_key(a == 3 ? "server.address" : "app.host." + std::to_string(a));
          kv->mutable_value()->set_string_value("orders.internal.example.com");
          break;
        default:
          kv->set_key(a == 4 ? "user_agent.original" : "app.ua." + std::to_string(a));
          kv->mutable_value()->set_string_value("Mozilla/5.0 (X11; Linux x86_64) traceproof");
          break;
      }
    }
  }
  return request;
}

}  // namespace traceproof
