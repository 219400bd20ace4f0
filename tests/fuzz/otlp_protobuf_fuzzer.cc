// Fuzzes the lazy protobuf decoder with arbitrary request bytes, then the on-demand detail
// decode of every span it accepted: nothing from the network may crash either.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "otlp/decode.h"
#include "otlp/span_details.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  traceproof::DecodeResult r = traceproof::DecodeExportRequest(bytes);
  if (!r.ok() && !r.batch.spans.empty()) __builtin_trap();  // malformed keeps nothing
  if (r.spans_seen != r.batch.spans.size() + r.spans_rejected && r.ok()) __builtin_trap();
  for (const auto& span : r.batch.spans) {
    if (!span.trace_id.IsValid() || !span.span_id.IsValid()) __builtin_trap();
    (void)traceproof::DecodeSpanDetails(span);
  }
  return 0;
}
