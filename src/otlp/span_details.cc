#include "otlp/span_details.h"

namespace traceproof {

std::optional<SpanDetails> DecodeSpanDetails(const SpanView& view) {
  SpanDetails d;
  auto parse = [](auto& msg, std::string_view bytes) {
    return msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  };
  if (!parse(d.span, view.raw) || !parse(d.resource, view.resource_raw) ||
      !parse(d.scope, view.scope_raw))
    return std::nullopt;
  return d;
}

}  // namespace traceproof
